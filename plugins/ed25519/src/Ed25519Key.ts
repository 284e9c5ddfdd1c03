import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ArborError, ErrorCode, type Signature } from '@arbor/core';

/**
 * Ed25519 keys as files: the private key as PKCS#8 PEM (mode 0600), the public key as SPKI PEM
 * beside it in `<file>.pub`. Both are what `openssl pkey` reads, so keys can be inspected or
 * made with standard tools. Signing is node:crypto's one-shot Ed25519 (RFC 8032, no prehash).
 */
export const ED25519 = 'ed25519';

/** Writes a fresh key pair; refuses to overwrite, since losing a signing key is not undoable. */
export function generateKeyPair(out: string): { privateKey: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const publicFile = `${out}.pub`;
  for (const file of [out, publicFile]) {
    if (fs.existsSync(file)) {
      throw new ArborError(ErrorCode.KEY_EXISTS, `${file} already exists`, { hint: 'Choose another --out, or delete the old key first' });
    }
  }
  fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  fs.writeFileSync(out, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { privateKey: path.resolve(out), publicKey: path.resolve(publicFile), keyId: keyIdOf(publicKey).toString('hex') };
}

export function readPrivateKey(file: string): crypto.KeyObject {
  const key = parseKey(file, (pem) => crypto.createPrivateKey(pem), 'private');
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${file} is a ${key.asymmetricKeyType} key, not ed25519`);
  }
  return key;
}

/** A public key from its PEM text (as a remote's config keeps it) or a `.pub` file. */
export function parsePublicKey(pem: string, source: string): crypto.KeyObject {
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey(pem);
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${source} is not a PEM public key: ${(error as Error).message}`, {
      hint: 'Use the .pub file that `arbor key generate` wrote',
    });
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${source} is not an ed25519 public key`, { hint: 'Use the .pub file that `arbor key generate` wrote' });
  }
  return key;
}

export function readPublicKey(file: string): { key: crypto.KeyObject; pem: string } {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `Cannot read public key ${file}: ${(error as Error).message}`);
  }
  if (/PRIVATE KEY/.test(pem)) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${file} holds a private key; a remote needs the public one`, { hint: `Use ${file}.pub` });
  }
  const key = parsePublicKey(pem, file);
  return { key, pem: key.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The raw 32-byte public key: exact (no hash to collide), and printed as hex. */
export function keyIdOf(key: crypto.KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  // An Ed25519 SPKI is a fixed 12-byte prefix followed by the 32-byte key (RFC 8410 §4).
  return Buffer.from(der.subarray(der.length - 32));
}

/**
 * Signs the exact bytes. Commits, summaries and signature files each begin with their own
 * magic (docs/format.md), so a signature made for one kind can never verify as another.
 */
export function sign(data: Buffer, privateKey: crypto.KeyObject): Signature {
  const publicKey = crypto.createPublicKey(privateKey);
  return { algorithm: ED25519, keyId: keyIdOf(publicKey), signature: crypto.sign(null, data, privateKey) };
}

export function verifySignature(data: Buffer, signature: Signature, publicKey: crypto.KeyObject): boolean {
  if (signature.algorithm !== ED25519 || signature.signature.length !== 64) return false;
  return crypto.verify(null, data, publicKey, signature.signature);
}

function parseKey(file: string, parse: (pem: string) => crypto.KeyObject, kind: string): crypto.KeyObject {
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `Cannot read ${kind} key ${file}: ${(error as Error).message}`);
  }
  try {
    return parse(pem);
  } catch (error) {
    throw new ArborError(ErrorCode.VERIFY_KEY_INVALID, `${file} is not a PEM ${kind} key: ${(error as Error).message}`, {
      hint: 'Make one with `arbor key generate --out KEYFILE`',
    });
  }
}
