import { CanonicalReader } from './CanonicalReader';
import { CanonicalWriter } from './CanonicalWriter';
import { canonicalJson } from './canonicalJson';
import type { ObjectId } from './ObjectId';

export type CommitMetadataValue = Record<string, unknown>;

/** A commit: a root (dirtree + dirmeta), its parent, a message, a time and JSON metadata. */
export interface Commit {
  parent: ObjectId | null;
  /** Seconds since the Unix epoch, UTC. */
  timestamp: number;
  rootTree: ObjectId;
  rootMeta: ObjectId;
  subject: string;
  body: string;
  metadata: CommitMetadataValue;
}

export const COMMIT_MAGIC = 'arbc';
export const COMMIT_VERSION = 1;
const MAX_TEXT = 16 * 1024 * 1024;

/**
 *   "arbc" u8(1) u8 hasParent [32 parent if hasParent] u64 timestamp [32] rootTree [32] rootMeta
 *   u32 len subject(UTF-8)  u32 len body(UTF-8)  u32 len metadata(canonical JSON, UTF-8)
 */
export function encodeCommit(commit: Commit): Buffer {
  const subject = Buffer.from(commit.subject, 'utf8');
  const body = Buffer.from(commit.body, 'utf8');
  const metadata = Buffer.from(canonicalJson(commit.metadata), 'utf8');
  const writer = new CanonicalWriter(128 + subject.length + body.length + metadata.length);
  writer.latin1(COMMIT_MAGIC).u8(COMMIT_VERSION);
  if (commit.parent) writer.u8(1).raw(Buffer.from(commit.parent, 'hex'));
  else writer.u8(0);
  writer.u64(commit.timestamp).raw(Buffer.from(commit.rootTree, 'hex')).raw(Buffer.from(commit.rootMeta, 'hex'));
  writer.u32(subject.length).raw(subject).u32(body.length).raw(body).u32(metadata.length).raw(metadata);
  return writer.finish();
}

export function decodeCommit(bytes: Buffer, what: string): Commit {
  const reader = new CanonicalReader(bytes, what);
  reader.magic(COMMIT_MAGIC, COMMIT_VERSION);
  const hasParent = reader.u8();
  if (hasParent > 1) reader.fail(`parent flag ${hasParent}`);
  const parent = hasParent ? reader.raw(32).toString('hex') : null;
  const timestamp = reader.u64();
  const rootTree = reader.raw(32).toString('hex');
  const rootMeta = reader.raw(32).toString('hex');
  const text = (): string => {
    const length = reader.u32();
    if (length > MAX_TEXT) reader.fail(`text field of ${length} bytes`);
    return reader.raw(length).toString('utf8');
  };
  const subject = text();
  const body = text();
  const json = text();
  let metadata: unknown;
  try {
    metadata = JSON.parse(json);
  } catch {
    reader.fail('metadata is not JSON');
  }
  if (!metadata || typeof metadata !== 'object' || Array.isArray(metadata)) reader.fail('metadata is not a JSON object');
  reader.end();
  return { parent, timestamp, rootTree, rootMeta, subject, body, metadata: metadata as CommitMetadataValue };
}
