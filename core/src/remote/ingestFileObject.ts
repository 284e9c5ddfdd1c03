import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { Codec, decompressContent } from '../store/ArchiveCodec';
import { blake3, blake3Backend } from '../store/Blake3';
import { decodeFileHeader, isSymlinkMode, S_IFREG, type FileMeta } from '../store/FileHeader';
import { FsBatch, type ObjectFileWrite } from '../fs/FsBatch';
import { bytePathFromOs } from '../store/BytePath';
import { bareOwner, writeFileObject } from '../store/FileObjectWriter';
import type { ObjectId } from '../store/ObjectId';
import type { RepoMode } from '../store/RepoMode';
import { isUnsafeWorldWritable, octalPermissions } from '../store/WorldWritable';

/** The largest content decompressed into one buffer here (FileObjectFetcher streams any larger claim). */
export const MAX_IN_MEMORY_CONTENT = 64 << 20;

/** One archive-mode file object as fetched, and where to stage it. */
export interface IngestRequest {
  id: ObjectId;
  /** `header || codec || payload` (docs/format.md §4.3), exactly as the server sent it. */
  bytes: Uint8Array;
  /** The staged path, and a temp path beside it to write first. */
  dest: string;
  temp: string;
  /** The local repo's mode: archive keeps the bytes as they are, bare and user unpack them. */
  repoMode: RepoMode;
  /** For messages: `remote origin`. */
  source: string;
}

/** A fetched file object that matched its ID, decoded for writing. */
interface VerifiedFileObject {
  bytes: Buffer;
  meta: FileMeta;
  header: Buffer;
  content: Buffer;
}

/**
 * Checks a fetched file object against its ID and stages it, synchronously, so it can run in a
 * worker thread (docs/performance.md: inflate + hash + write in workers beats async on the main
 * thread). The write is one native operation (an O_TMPFILE linked into place), so workers
 * writing into the one staging directory do not queue on its lock; user-mode repos, and any
 * write the native path could not do, take the synchronous JavaScript path, which also gives a
 * failure its usual error.
 */
export function ingestFileObject(request: IngestRequest): void {
  const object = verifyFileObject(request);
  if (request.repoMode !== 'user' && nativeWrite(request, object).run().length === 0) return;
  writeVerified(request, object);
}

/**
 * The same on the main thread, for pulls too small to pay for workers: the check runs here (a
 * few microseconds for a typical file), and the write goes to a libuv pool thread, so file
 * creation (up to a millisecond each on a busy ext4) overlaps the network instead of stalling it.
 */
export async function ingestFileObjectAsync(request: IngestRequest): Promise<void> {
  const object = verifyFileObject(request);
  if (request.repoMode !== 'user' && (await nativeWrite(request, object).runAsync()).length === 0) return;
  writeVerified(request, object);
}

/**
 * The ID is BLAKE3(header || content): the header is hashed as sent and the content as
 * decompressed, so a byte flipped anywhere, in the header, the codec or the payload, fails here
 * and nothing is written.
 */
function verifyFileObject(request: IngestRequest): VerifiedFileObject {
  const bytes = Buffer.from(request.bytes.buffer, request.bytes.byteOffset, request.bytes.byteLength);
  const what = `Object ${request.id}.filez from ${request.source}`;
  let meta;
  let headerLength: number;
  try {
    ({ meta, headerLength } = decodeFileHeader(bytes, what));
  } catch (error) {
    throw corrupt(request, (error as Error).message);
  }
  if (bytes.length <= headerLength) throw corrupt(request, `${what} has no codec byte`);
  refuseWorldWritable(meta, request.repoMode, what);
  const header = bytes.subarray(0, headerLength);
  const codec = bytes[headerLength]!;
  const payload = bytes.subarray(headerLength + 1);
  let content: Buffer;
  if (isSymlinkMode(meta.mode)) {
    if (codec !== Codec.raw || payload.length !== 0) throw corrupt(request, `${what} is a symlink with content`);
    content = payload;
  } else {
    // The fetcher sends larger claims down the streaming path; this only guards the allocation.
    if (meta.size > MAX_IN_MEMORY_CONTENT) throw corrupt(request, `${what} claims ${meta.size} bytes of content, too many to check in memory`);
    try {
      content = decompressContent(codec, payload, meta.size, what);
    } catch (error) {
      throw corrupt(request, (error as Error).message);
    }
  }
  const actual = hashObject(header, content);
  if (actual !== request.id) {
    throw new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, `${what} does not match its ID: its bytes hash to ${actual}`, {
      hint: 'It was damaged or forged at the source; nothing of it was stored',
    });
  }
  return { bytes, meta, header, content };
}

function writeVerified(request: IngestRequest, { bytes, meta, header, content }: VerifiedFileObject): void {
  if (request.repoMode === 'archive') {
    fs.writeFileSync(request.temp, bytes, { flag: 'wx', mode: 0o644 });
  } else {
    writeFileObject(request.temp, request.repoMode, meta, Buffer.from(header), { content });
  }
  fs.renameSync(request.temp, request.dest);
}

/** What writeVerified writes, as one native operation (bare and archive repos). */
function nativeWrite(request: IngestRequest, object: VerifiedFileObject): FsBatch {
  return FsBatch.ofObject(objectFileWrite(request, object));
}

function objectFileWrite(request: IngestRequest, { bytes, meta, content }: VerifiedFileObject): ObjectFileWrite {
  const paths = { temp: bytePathFromOs(request.temp), dest: bytePathFromOs(request.dest) };
  if (request.repoMode === 'archive') return { ...paths, content: bytes, uid: -1, gid: -1, mode: S_IFREG | 0o644 };
  const symlink = isSymlinkMode(meta.mode);
  return {
    ...paths,
    content: symlink ? Buffer.from(meta.target, 'latin1') : content,
    ...bareOwner(meta),
    mode: meta.mode,
    xattrs: meta.xattrs,
    zeroTimes: true,
  };
}

/**
 * Small objects are hashed in one call over header and content (each call costs ~5 µs, and
 * most files are a few KB); large ones through a streaming hasher, to spare a full copy.
 */
function hashObject(header: Buffer, content: Buffer): string {
  if (content.length < 1 << 20) return blake3(Buffer.concat([header, content])).toString('hex');
  const hasher = blake3Backend().create();
  hasher.update(header);
  hasher.update(content);
  return hasher.digest().toString('hex');
}

function corrupt(request: IngestRequest, reason: string): ArborError {
  return new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, reason.startsWith('Object ') ? reason : `Object ${request.id}.filez from ${request.source}: ${reason}`, {
    hint: 'It was damaged or forged at the source; nothing of it was stored',
  });
}

/**
 * A bare repo's objects are hardlinked into every checkout with their own modes, so a
 * world-writable one would let any user rewrite that file in every deployment. Arbor's own
 * commits never make one (the `world_writable` policy); a pull refuses one from elsewhere.
 */
export function refuseWorldWritable(meta: FileMeta, repoMode: RepoMode, what: string): void {
  if (!isUnsafeWorldWritable(meta.mode, repoMode)) return;
  throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, `${what} is a world-writable file (mode ${octalPermissions(meta.mode)}), which a bare repo does not store: every checkout hardlinks it`, {
    hint: 'Commit the tree again without o+w (arbor commit strips it by default), or pull into an archive repo to inspect it',
  });
}

