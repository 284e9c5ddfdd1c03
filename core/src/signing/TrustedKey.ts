import crypto from 'node:crypto';
import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * A public key a remote trusts, as its config keeps it: the algorithm and the SPKI PEM text.
 * Checking signatures with it is a `verify` plugin's work; the core only files it.
 */
export interface TrustedKey {
  type: string;
  key: string;
}

/** Reads `--verify-key PUBFILE`, refusing a private key (a common slip) with the fix. */
export function readTrustedKey(file: string): TrustedKey {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `Cannot read public key ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (/PRIVATE KEY/.test(pem)) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${file} holds a private key; a remote needs the public one`, { hint: `Use ${file}.pub` });
  }
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${file} is not a PEM public key: ${(error as Error).message}`, {
      hint: 'Use the .pub file that `arbor key generate` wrote',
    });
  }
  return { type: key.asymmetricKeyType ?? 'unknown', key: key.export({ type: 'spki', format: 'pem' }).toString() };
}

/**
 * How `remote list` shows a key: the raw public key in hex for OKP keys (ed25519's key ID,
 * as signatures carry it), else a SHA-256 of the SPKI.
 */
export function trustedKeyId(trusted: TrustedKey): string {
  try {
    const key = crypto.createPublicKey(trusted.key);
    const jwk = key.export({ format: 'jwk' }) as { kty?: string; x?: string };
    if (jwk.kty === 'OKP' && jwk.x) return Buffer.from(jwk.x, 'base64url').toString('hex');
    return `sha256:${crypto.createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex')}`;
  } catch {
    return `${trusted.type}:?`;
  }
}
