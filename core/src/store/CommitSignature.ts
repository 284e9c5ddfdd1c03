import { CanonicalReader } from './CanonicalReader';
import { CanonicalWriter } from './CanonicalWriter';

/** One detached signature over a commit's canonical bytes. */
export interface SignatureEntry {
  /** The scheme, e.g. `ed25519`; its plugin defines keyId and signature. */
  algorithm: string;
  keyId: Buffer;
  signature: Buffer;
}

/**
 * The commit signature object, stored beside the commit as `objects/XX/REST.commitsig` where
 * XXREST is the signed commit's ID (not a hash of this object), so signatures can be added
 * without changing the commit ID, as ostree does with `.commitmeta`.
 *
 *   "arbs" u8(1) u32 count, per entry: u8 len algorithm(ASCII) u16 len keyId u32 len signature
 */
export const COMMITSIG_MAGIC = 'arbs';
export const COMMITSIG_VERSION = 1;
const MAX_SIGNATURE = 64 * 1024;

export function encodeCommitSignatures(entries: SignatureEntry[]): Buffer {
  const writer = new CanonicalWriter();
  writer.latin1(COMMITSIG_MAGIC).u8(COMMITSIG_VERSION).u32(entries.length);
  for (const entry of entries) {
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(entry.algorithm)) throw new Error(`Bad signature algorithm name "${entry.algorithm}"`);
    writer.u8(entry.algorithm.length).latin1(entry.algorithm);
    writer.u16(entry.keyId.length).raw(entry.keyId).u32(entry.signature.length).raw(entry.signature);
  }
  return writer.finish();
}

export function decodeCommitSignatures(bytes: Buffer, what: string): SignatureEntry[] {
  const reader = new CanonicalReader(bytes, what);
  reader.magic(COMMITSIG_MAGIC, COMMITSIG_VERSION);
  const count = reader.u32();
  if (count * 7 > reader.remaining) reader.fail(`signature count ${count} exceeds the object size`);
  const entries: SignatureEntry[] = [];
  for (let index = 0; index < count; index++) {
    const algorithm = reader.latin1(reader.u8());
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(algorithm)) reader.fail('bad algorithm name');
    const keyId = Buffer.from(reader.raw(reader.u16()));
    const length = reader.u32();
    if (length > MAX_SIGNATURE) reader.fail(`signature of ${length} bytes`);
    entries.push({ algorithm, keyId, signature: Buffer.from(reader.raw(length)) });
  }
  reader.end();
  return entries;
}
