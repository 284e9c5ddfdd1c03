import { CanonicalReader } from './CanonicalReader';
import { CanonicalWriter } from './CanonicalWriter';
import { readXattrs, writeXattrs, type XattrList } from './XattrList';

export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFDIR = 0o040000;
/** Permission bits plus setuid, setgid and sticky. */
export const PERMISSION_BITS = 0o7777;
export const PATH_MAX = 4096;

/** Everything a file object's ID covers besides its content (docs/format.md §3.1). */
export interface FileMeta {
  /** Full st_mode: S_IFREG or S_IFLNK, plus the 12 permission bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Content length in bytes; 0 for symlinks. */
  size: number;
  /** The symlink target as a latin1 byte string; '' for regular files. */
  target: string;
  xattrs: XattrList;
}

export const FILE_MAGIC = 'arbf';
export const FILE_VERSION = 1;

/**
 * The canonical file header. A file object's ID is BLAKE3(header || content), hashed in one
 * call for small files, so owners, modes, symlink targets and xattrs are all part of the ID and
 * a hardlink of the object carries the right metadata.
 *
 *   "arbf" u8(1) u32 mode u32 uid u32 gid u64 size u32 targetLength target xattrs
 */
export function encodeFileHeader(meta: FileMeta): Buffer {
  const writer = new CanonicalWriter(40 + meta.target.length + meta.xattrs.length * 64);
  writer.latin1(FILE_MAGIC).u8(FILE_VERSION).u32(meta.mode).u32(meta.uid).u32(meta.gid).u64(meta.size);
  writer.u32(meta.target.length).latin1(meta.target);
  writeXattrs(writer, meta.xattrs);
  return writer.finish();
}

/** Reads a header from the start of `bytes` and says where the content starts. */
export function decodeFileHeader(bytes: Buffer, what: string): { meta: FileMeta; headerLength: number } {
  const reader = new CanonicalReader(bytes, what);
  reader.magic(FILE_MAGIC, FILE_VERSION);
  const mode = reader.u32();
  const uid = reader.u32();
  const gid = reader.u32();
  const size = reader.u64();
  const targetLength = reader.u32();
  if (targetLength >= PATH_MAX) reader.fail(`symlink target of ${targetLength} bytes`);
  const target = reader.latin1(targetLength);
  const xattrs = readXattrs(reader);
  const meta: FileMeta = { mode, uid, gid, size, target, xattrs };
  const problem = fileMetaProblem(meta);
  if (problem) reader.fail(problem);
  return { meta, headerLength: reader.offset };
}

/** Why a file's metadata cannot be stored, or undefined when it can. */
export function fileMetaProblem(meta: FileMeta): string | undefined {
  const type = meta.mode & S_IFMT;
  if ((meta.mode & ~(S_IFMT | PERMISSION_BITS)) !== 0) return `mode ${meta.mode.toString(8)} has unknown bits`;
  if (type === S_IFREG) {
    if (meta.target !== '') return 'a regular file with a symlink target';
  } else if (type === S_IFLNK) {
    if (meta.size !== 0) return 'a symlink with content';
    if (meta.target.length === 0) return 'a symlink with an empty target';
    if (meta.target.includes('\0')) return 'a symlink target holding NUL';
  } else {
    return `file type ${type.toString(8)} (only regular files and symlinks are file objects)`;
  }
  return undefined;
}

export function isSymlinkMode(mode: number): boolean {
  return (mode & S_IFMT) === S_IFLNK;
}
