import type { Signature } from '../hooks';

/** Adds `signature` to a list, replacing an older one by the same key (re-signing is idempotent). */
export function mergeSignature(existing: Signature[], signature: Signature): Signature[] {
  const same = (old: Signature) => old.algorithm === signature.algorithm && old.keyId.equals(signature.keyId);
  return [...existing.filter((old) => !same(old)), signature];
}
