import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { removeXattr, setXattr } from '../fs/xattr';
import { Codec, compressContent, DEFAULT_ZSTD_LEVEL, ZstdStreamCompressor } from './ArchiveCodec';
import { displayPath } from './BytePath';
import { isSymlinkMode, PERMISSION_BITS, type FileMeta } from './FileHeader';
import { USER_META_XATTR, userModeObjectPermissions, type RepoMode } from './RepoMode';

/** The content to store: in memory (small files, already read for hashing) or a file to copy. */
export type FileObjectSource = { content: Buffer } | { path: string | Buffer };

export interface WriteFileObjectOptions {
  /** The tree path the object comes from, named in errors. */
  origin?: string;
  compressionLevel?: number;
}

const CHUNK = 1 << 20;
const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;
const ownUid = process.getuid?.() ?? 0;
const ownGid = process.getgid?.() ?? 0;

/**
 * Writes one file object at `dest` (a staging path; the caller renames it into `objects/`).
 * `header` is encodeFileHeader(meta). Returns false when `dest` already exists, which means
 * another worker is writing the same object.
 *
 * bare: owner first, then mode, then xattrs — chown(2) clears setuid bits and
 * security.capability, so the reverse order would lose them. mtime is 0, as in ostree.
 */
export function writeFileObject(dest: string, repoMode: RepoMode, meta: FileMeta, header: Buffer, source: FileObjectSource, options: WriteFileObjectOptions = {}): boolean {
  try {
    if (repoMode === 'bare') return writeBare(dest, meta, source);
    if (repoMode === 'user') return writeUser(dest, meta, header, source);
    return writeArchive(dest, meta, header, source, options.compressionLevel ?? DEFAULT_ZSTD_LEVEL);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' && repoMode === 'bare') {
      throw new ArborError(
        ErrorCode.STORE_MODE_UNSUPPORTED,
        `Cannot store ${options.origin ? displayPath(options.origin) : 'a file'} with owner ${meta.uid}:${meta.gid} in a bare repo: ${(error as Error).message}`,
        { hint: 'bare repos need root; use `arbor init --mode user` for a repo of your own', cause: error },
      );
    }
    throw error;
  }
}

/**
 * The owner to give a bare object: the committed one, or -1 (no chown call) when a non-root
 * writer creates it with that owner anyway.
 */
export function bareOwner(meta: FileMeta): { uid: number; gid: number } {
  return ownUid === 0 || meta.uid !== ownUid || meta.gid !== ownGid ? { uid: meta.uid, gid: meta.gid } : { uid: -1, gid: -1 };
}

function writeBare(dest: string, meta: FileMeta, source: FileObjectSource): boolean {
  if (isSymlinkMode(meta.mode)) {
    fs.symlinkSync(Buffer.from(meta.target, 'latin1'), dest);
    const owner = bareOwner(meta);
    if (owner.uid !== -1) fs.lchownSync(dest, owner.uid, owner.gid);
    for (const [name, value] of meta.xattrs) setXattr(dest, name, value);
    fs.lutimesSync(dest, 0, 0);
    return true;
  }
  let fd: number;
  if ('content' in source) {
    fd = fs.openSync(dest, WRITE_FLAGS, 0o600);
    writeAll(fd, source.content);
  } else {
    fs.copyFileSync(source.path, dest, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    fd = fs.openSync(dest, fs.constants.O_WRONLY);
  }
  try {
    const owner = bareOwner(meta);
    if (owner.uid !== -1) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.fchmodSync(fd, meta.mode & PERMISSION_BITS);
    for (const [name, value] of meta.xattrs) setXattr(dest, name, value);
    fs.futimesSync(fd, 0, 0);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function writeUser(dest: string, meta: FileMeta, header: Buffer, source: FileObjectSource): boolean {
  let fd: number;
  if (isSymlinkMode(meta.mode)) {
    // User xattrs cannot be set on symlinks (xattr(7)), so the object is an empty regular file
    // and the target lives in the header.
    fd = fs.openSync(dest, WRITE_FLAGS, 0o644);
  } else if ('content' in source) {
    fd = fs.openSync(dest, WRITE_FLAGS, 0o600);
    writeAll(fd, source.content);
  } else {
    fs.copyFileSync(source.path, dest, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
    fd = fs.openSync(dest, fs.constants.O_WRONLY);
  }
  try {
    fs.fchmodSync(fd, isSymlinkMode(meta.mode) ? 0o644 : userModeObjectPermissions(meta.mode));
    setXattr(dest, USER_META_XATTR, header);
    if (!isSymlinkMode(meta.mode)) mirrorUserXattrs(dest, meta);
    fs.futimesSync(fd, 0, 0);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * The committed user.* xattrs go on a user-mode object too, so a hardlink checkout has them
 * (other namespaces need privileges and live only in the header). All or none: ext4 keeps a
 * file's xattrs in one 4 KiB block, and the header already holds a copy of each, so large ones
 * may not fit twice (ENOSPC/E2BIG); then the object keeps only its header.
 */
function mirrorUserXattrs(dest: string, meta: FileMeta): void {
  const names = meta.xattrs.filter(([name]) => name.startsWith('user.'));
  const set: string[] = [];
  try {
    for (const [name, value] of names) {
      setXattr(dest, name, value);
      set.push(name);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOSPC' && code !== 'E2BIG' && code !== 'ERANGE') throw error;
    for (const name of set) removeXattr(dest, name);
  }
}

function writeArchive(dest: string, meta: FileMeta, header: Buffer, source: FileObjectSource, level: number): boolean {
  const fd = fs.openSync(dest, WRITE_FLAGS, 0o644);
  try {
    if (isSymlinkMode(meta.mode)) {
      writeAll(fd, Buffer.concat([header, Buffer.of(Codec.raw)]));
    } else if ('content' in source) {
      const { codec, payload } = compressContent(source.content, level);
      writeAll(fd, Buffer.concat([header, Buffer.of(codec)]));
      writeAll(fd, payload);
    } else {
      writeAll(fd, Buffer.concat([header, Buffer.of(Codec.zstd)]));
      const compressor = new ZstdStreamCompressor((bytes) => writeAll(fd, bytes), level);
      const input = fs.openSync(source.path, fs.constants.O_RDONLY);
      try {
        const buffer = Buffer.allocUnsafe(CHUNK);
        let total = 0;
        for (;;) {
          const read = fs.readSync(input, buffer, 0, CHUNK, null);
          total += read;
          compressor.push(buffer.subarray(0, read), read === 0);
          if (read === 0) break;
        }
        if (total !== meta.size) throw new Error(`${String(source.path)} changed size while it was committed`);
      } finally {
        fs.closeSync(input);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}
