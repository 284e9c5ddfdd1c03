import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { readXattrList, readXattrs } from '../fs/xattr';
import { decompressContent, ZstdStreamDecompressor, Codec } from './ArchiveCodec';
import { blake3Backend } from './Blake3';
import { decodeFileHeader, encodeFileHeader, isSymlinkMode, S_IFLNK, S_IFMT, S_IFREG, type FileMeta } from './FileHeader';
import type { ObjectId } from './ObjectId';
import { USER_META_XATTR, type RepoMode } from './RepoMode';

/** Where a file object lives and how its repo stores it. */
export interface FileObjectRef {
  id: ObjectId;
  /** Absolute path of `objects/XX/REST.file` or `.filez`. */
  path: string;
  mode: RepoMode;
}

const ARCHIVE_HEAD = 64 * 1024;
const WHOLE_FILE_LIMIT = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

function what(ref: FileObjectRef): string {
  return `File object ${ref.id}`;
}

export function missingObject(id: string, kind: string, path?: string): ArborError {
  return new ArborError(ErrorCode.STORE_OBJECT_MISSING, `Object ${id}.${kind} is missing${path ? ` (needed by ${path})` : ''}`, {
    hint: 'Run `arbor fsck` to see what else is missing; pull or re-commit to restore it',
  });
}

function rethrow(error: unknown, ref: FileObjectRef): never {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingObject(ref.id, ref.mode === 'archive' ? 'filez' : 'file');
  throw error;
}

/** The archive object's header, and where its codec byte sits. */
function readArchiveHead(ref: FileObjectRef): { meta: FileMeta; headerLength: number; fileSize: number; head: Buffer } {
  let fd: number;
  try {
    fd = fs.openSync(ref.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    rethrow(error, ref);
  }
  try {
    const fileSize = fs.fstatSync(fd).size;
    let head = Buffer.allocUnsafe(Math.min(fileSize, ARCHIVE_HEAD));
    head = head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
    try {
      return { ...decodeFileHeader(head, what(ref)), fileSize, head };
    } catch (error) {
      if (fileSize <= head.length) throw error;
      // xattrs larger than the first read: decode from the whole object.
      const whole = fs.readFileSync(fd);
      return { ...decodeFileHeader(whole, what(ref)), fileSize, head: whole };
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads the metadata a file object's ID covers, in whichever way its repo mode keeps it. */
export function readFileMeta(ref: FileObjectRef): FileMeta {
  switch (ref.mode) {
    case 'bare': {
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(ref.path);
      } catch (error) {
        rethrow(error, ref);
      }
      const type = stat.mode & S_IFMT;
      if (type !== S_IFREG && type !== S_IFLNK) {
        throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: not a regular file or symlink`);
      }
      const target = type === S_IFLNK ? (fs.readlinkSync(ref.path, { encoding: 'buffer' }) as Buffer).toString('latin1') : '';
      return { mode: stat.mode, uid: stat.uid, gid: stat.gid, size: type === S_IFLNK ? 0 : stat.size, target, xattrs: readXattrList(ref.path) };
    }
    case 'user': {
      let header: Buffer | undefined;
      try {
        header = readXattrs(ref.path)[USER_META_XATTR];
      } catch (error) {
        rethrow(error, ref);
      }
      if (!header) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: no ${USER_META_XATTR} xattr`);
      const { meta, headerLength } = decodeFileHeader(header, what(ref));
      if (headerLength !== header.length) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: trailing bytes after its header`);
      return meta;
    }
    case 'archive':
      return readArchiveHead(ref).meta;
  }
}

/**
 * The object's content (empty for symlinks), checked against its ID unless `verify` is false:
 * BLAKE3(header || content) must equal the ID, so no corrupt byte reaches the caller.
 */
export function readFileContent(ref: FileObjectRef, options: { verify?: boolean } = {}): { meta: FileMeta; content: Buffer } {
  let meta: FileMeta;
  let content: Buffer;
  if (ref.mode === 'archive') {
    // One read of the whole object: header, codec byte, payload.
    let whole: Buffer;
    try {
      whole = fs.readFileSync(ref.path);
    } catch (error) {
      rethrow(error, ref);
    }
    const decoded = decodeFileHeader(whole, what(ref));
    meta = decoded.meta;
    if (whole.length <= decoded.headerLength) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: no codec byte`);
    content = decompressContent(whole[decoded.headerLength]!, whole.subarray(decoded.headerLength + 1), meta.size, what(ref));
  } else {
    meta = readFileMeta(ref);
    if (isSymlinkMode(meta.mode)) {
      content = Buffer.alloc(0);
    } else {
      try {
        content = fs.readFileSync(ref.path);
      } catch (error) {
        rethrow(error, ref);
      }
    }
    if (content.length !== meta.size) {
      throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: ${content.length} bytes, its header says ${meta.size}`);
    }
  }
  if (options.verify !== false) {
    const hasher = blake3Backend().create();
    hasher.update(encodeFileHeader(meta));
    hasher.update(content);
    const actual = hasher.digest().toString('hex');
    if (actual !== ref.id) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: its bytes hash to ${actual}`);
  }
  return { meta, content };
}

/**
 * Streams a regular file object's content to `emit` in chunks and returns its ID as hashed
 * from what was read (header included). Used by fsck and by archive checkouts of big files,
 * which must not hold a whole multi-GB file in memory.
 */
export function streamFileContent(ref: FileObjectRef, meta: FileMeta, emit: (chunk: Buffer) => void): ObjectId {
  const hasher = blake3Backend().create();
  hasher.update(encodeFileHeader(meta));
  const push = (chunk: Buffer): void => {
    hasher.update(chunk);
    emit(chunk);
  };
  let fd: number;
  try {
    fd = fs.openSync(ref.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    rethrow(error, ref);
  }
  try {
    let position = 0;
    let sink: { push(chunk: Buffer): void; end(): void } = { push, end() {} };
    let total = 0;
    let compressed = false;
    if (ref.mode === 'archive') {
      const head = readArchiveHead(ref);
      position = head.headerLength;
      const codecByte = Buffer.alloc(1);
      if (fs.readSync(fd, codecByte, 0, 1, position) !== 1) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: no codec byte`);
      position += 1;
      if (codecByte[0] === Codec.zstd) {
        const decompressor = new ZstdStreamDecompressor(meta.size, what(ref), push);
        sink = { push: (chunk) => decompressor.push(chunk), end: () => decompressor.end() };
        compressed = true;
      } else if (codecByte[0] !== Codec.raw) {
        throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: unknown codec ${codecByte[0]}`);
      }
    }
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const read = fs.readSync(fd, buffer, 0, CHUNK, position);
      if (read === 0) break;
      position += read;
      total += read;
      sink.push(buffer.subarray(0, read));
    }
    sink.end();
    // Raw content must match the header's size; zstd checks its own output length.
    if (!compressed && total !== meta.size) {
      throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${what(ref)} is corrupt: ${total} bytes, its header says ${meta.size}`);
    }
    return hasher.digest().toString('hex');
  } finally {
    fs.closeSync(fd);
  }
}

export { WHOLE_FILE_LIMIT };
