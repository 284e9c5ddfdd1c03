import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import type { Signature } from '../hooks';

/**
 * Which `sign` tap a key goes to. `<type>:<id>` names the type outright (keys that are not
 * files: an agent, a token); a file is read as a PEM private key and its algorithm is the type
 * (`ed25519`). Only the type is decided here; reading and using the key is the plugin's.
 */
export function signingKeyType(key: string): string {
  const prefixed = /^([a-z][a-z0-9-]*):(?!\/)/.exec(key);
  if (prefixed && !fs.existsSync(key)) return prefixed[1]!;
  let pem: string;
  try {
    pem = fs.readFileSync(key, 'utf8');
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `Cannot read signing key ${key}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      hint: 'Give a private key file (e.g. from `arbor key generate`), or <type>:<id> for a signing plugin\'s own keys',
    });
  }
  try {
    const type = crypto.createPrivateKey(pem).asymmetricKeyType;
    if (type) return type;
  } catch {
    // Not PEM: fall through to the error below.
  }
  throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${key} is not a PEM private key`, {
    hint: 'Make one with `arbor key generate --out KEYFILE`, or name a plugin key as <type>:<id>',
  });
}

/** Signs the exact bytes with whichever `sign` tap handles the key's type. */
export async function signData(arbor: Arbor, request: { key: string; data: Buffer; what: string }, context: HookContext): Promise<Signature> {
  const keyType = assertSigner(arbor, request.key, request.what);
  const signature = await arbor.hooks.sign.for(keyType).promise({ ...request, keyType }, context);
  if (!signature) throw noSigner(arbor, keyType, request.key, request.what);
  return signature;
}

/** Checks up front that some plugin signs with this key's type; returns the type. */
export function assertSigner(arbor: Arbor, key: string, what: string): string {
  const keyType = signingKeyType(key);
  if (!arbor.hooks.sign.get(keyType)?.taps.length) throw noSigner(arbor, keyType, key, what);
  return keyType;
}

function noSigner(arbor: Arbor, keyType: string, key: string, what: string): ArborError {
  const known = [...new Set(arbor.taps.filter((tap) => tap.hook === 'sign').map((tap) => tap.key))];
  return new ArborError(ErrorCode.SIGN_NO_SIGNER, `No plugin signs with ${keyType} keys (${key}), so ${what} cannot be signed`, {
    hint: known.length ? `Plugins here sign with: ${known.join(', ')}` : 'Add a signing plugin such as ed25519 to the config',
  });
}
