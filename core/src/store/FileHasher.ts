import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { errnoError } from '../fs/errnoError';
import { readXattrList } from '../fs/xattr';
import { blake3Backend, type Blake3Backend } from './Blake3';
import { displayPath, osPath } from './BytePath';
import { encodeFileHeader, PERMISSION_BITS, S_IFLNK, S_IFMT, S_IFREG, type FileMeta } from './FileHeader';
import { writeFileObject } from './FileObjectWriter';
import { ObjectIndex } from './ObjectIndex';
import type { ObjectId } from './ObjectId';
import { fileObjectKind, USER_META_XATTR, type RepoMode } from './RepoMode';
import type { XattrList } from './XattrList';
import { octalPermissions, WORLD_WRITABLE } from './WorldWritable';

/** Metadata a `label` tap decided, replacing what is on disk (the file type stays). */
export interface MetadataOverride {
  uid: number;
  gid: number;
  mode: number;
  xattrs: XattrList;
}

export interface HashJob {
  index: number;
  /** Absolute path, as a latin1 byte string. */
  path: string;
  override?: MetadataOverride;
}

export interface HashResult {
  index: number;
  id: ObjectId;
  /** Content bytes read (0 when the devino cache or an earlier hardlink answered). */
  bytes: number;
  written: boolean;
  /** The file was world-writable and was committed without o+w (the `strip` policy). */
  strippedWorldWritable?: boolean;
}

/**
 * What a commit does with a world-writable regular file (docs/format.md §4). Its object would be
 * world-writable too, and in a bare repo every hardlinked checkout shares that inode: any user
 * could rewrite the file in every deployment. `strip` commits it without o+w (and the commit
 * warns); `refuse` fails the commit naming the file.
 */
export type WorldWritablePolicy = 'strip' | 'refuse';

export interface FileHasherOptions {
  repoPath: string;
  repoMode: RepoMode;
  stagingPath: string;
  compressionLevel?: number;
  /** Default `strip`. */
  worldWritable?: WorldWritablePolicy;
}

/** Files up to this size are read whole and hashed as header+content in one BLAKE3 call. */
const SMALL_FILE = 1 << 20;
const CHUNK = 1 << 20;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * Hashes one tree file into its object ID and writes the object into the staging directory
 * when the repo does not have it yet. Runs inside hash workers with synchronous fs calls
 * (docs/performance.md: faster than many concurrent async calls for this metadata-heavy work), or
 * inline for small trees.
 */
export class FileHasher {
  private readonly blake: Blake3Backend = blake3Backend();
  private readonly index: ObjectIndex;
  private readonly kind: 'file' | 'filez';
  private readonly repoDev: number;
  /** (ino → ID) of the repo's own file objects, built on first need (ostree's devino cache). */
  private repoInodes: Map<number, ObjectId> | undefined;
  /** (ino → ID) of files hashed here, so a hardlink group inside the tree is read once. */
  private readonly treeInodes = new Map<string, ObjectId>();

  constructor(private readonly options: FileHasherOptions) {
    this.index = new ObjectIndex(options.repoPath);
    this.kind = fileObjectKind(options.repoMode);
    this.repoDev = fs.statSync(path.join(options.repoPath, 'objects')).dev;
  }

  hash(job: HashJob): HashResult {
    const target = osPath(job.path);
    let fd: number | undefined;
    let stat: fs.Stats;
    try {
      fd = fs.openSync(target, OPEN_FLAGS);
      stat = fs.fstatSync(fd);
    } catch (error) {
      // ELOOP: a symlink (O_NOFOLLOW). ENXIO and friends: a socket or device; lstat says which.
      fd = undefined;
      stat = lstat(job.path, target);
      const type = stat.mode & S_IFMT;
      if (type === S_IFREG) throw unreadable(job.path, error);
    }
    try {
      const type = stat.mode & S_IFMT;
      if (type !== S_IFREG && type !== S_IFLNK) throw unsupportedType(job.path, stat.mode);
      const worldWritable = type === S_IFREG && ((job.override ? job.override.mode : stat.mode) & WORLD_WRITABLE) !== 0;
      if (worldWritable && this.options.worldWritable === 'refuse') throw worldWritableRefused(job.path, stat.mode);
      if (stat.nlink > 1 && !job.override && !worldWritable) {
        const known = this.treeInodes.get(`${stat.dev}:${stat.ino}`) ?? this.lookupRepoInode(stat);
        if (known) return { index: job.index, id: known, bytes: 0, written: false };
      }
      const meta: FileMeta = {
        mode: (job.override ? type | (job.override.mode & PERMISSION_BITS) : stat.mode) & ~(worldWritable ? WORLD_WRITABLE : 0),
        uid: job.override ? job.override.uid : stat.uid,
        gid: job.override ? job.override.gid : stat.gid,
        size: type === S_IFREG ? stat.size : 0,
        target: type === S_IFLNK ? readTarget(job.path, target) : '',
        xattrs: job.override ? job.override.xattrs : treeXattrs(job.path, target),
      };
      const header = encodeFileHeader(meta);
      const result = type === S_IFLNK || meta.size <= SMALL_FILE
        ? this.hashSmall(job, fd, meta, header)
        : this.hashLarge(job, fd!, stat, meta, header);
      if (stat.nlink > 1 && !job.override) this.treeInodes.set(`${stat.dev}:${stat.ino}`, result.id);
      return worldWritable ? { ...result, strippedWorldWritable: true } : result;
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  private hashSmall(job: HashJob, fd: number | undefined, meta: FileMeta, header: Buffer): HashResult {
    let bytes = header;
    if (meta.size > 0) {
      bytes = Buffer.allocUnsafe(header.length + meta.size);
      header.copy(bytes, 0);
      let offset = header.length;
      while (offset < bytes.length) {
        const read = fs.readSync(fd!, bytes, offset, bytes.length - offset, null);
        if (read === 0) throw changed(job.path);
        offset += read;
      }
    }
    const id = this.blake.hash(bytes).toString('hex');
    const written = this.store(id, meta, header, { content: bytes.subarray(header.length) }, job.path);
    return { index: job.index, id, bytes: meta.size, written };
  }

  private hashLarge(job: HashJob, fd: number, stat: fs.Stats, meta: FileMeta, header: Buffer): HashResult {
    const hasher = this.blake.create();
    hasher.update(header);
    const chunk = Buffer.allocUnsafe(CHUNK);
    let total = 0;
    for (;;) {
      const read = fs.readSync(fd, chunk, 0, CHUNK, null);
      if (read === 0) break;
      hasher.update(read === CHUNK ? chunk : chunk.subarray(0, read));
      total += read;
    }
    if (total !== meta.size) throw changed(job.path);
    const id = hasher.digest().toString('hex');
    const written = this.store(id, meta, header, { path: osPath(job.path) }, job.path);
    // The object was copied in a second read; refuse it if the file changed in between.
    if (written) {
      const after = fs.fstatSync(fd);
      if (after.size !== stat.size || after.mtimeMs !== stat.mtimeMs || after.ctimeMs !== stat.ctimeMs) {
        fs.rmSync(path.join(this.options.stagingPath, `${id}.${this.kind}`), { force: true });
        throw changed(job.path);
      }
    }
    return { index: job.index, id, bytes: meta.size, written };
  }

  private store(id: ObjectId, meta: FileMeta, header: Buffer, source: { content: Buffer } | { path: string | Buffer }, origin: string): boolean {
    if (this.index.has(id, this.kind)) return false;
    this.index.add(id, this.kind);
    const staged = path.join(this.options.stagingPath, `${id}.${this.kind}`);
    try {
      return writeFileObject(staged, this.options.repoMode, meta, header, source, { origin, compressionLevel: this.options.compressionLevel });
    } catch (error) {
      throw errnoError(error, staged, `object ${id} of ${displayPath(origin)}`);
    }
  }

  /**
   * A file hardlinked into this repo's objects (a hardlink checkout being re-committed) is that
   * object: its ID is known without reading it. Like ostree's devino cache, built by scanning
   * the repo's file objects the first time a candidate shows up (ostree_repo_scan_hardlinks).
   */
  private lookupRepoInode(stat: fs.Stats): ObjectId | undefined {
    if (stat.dev !== this.repoDev || this.options.repoMode === 'archive') return undefined;
    if (!this.repoInodes) {
      this.repoInodes = new Map();
      for (const id of ObjectIndex.list(this.options.repoPath, this.kind)) {
        try {
          const objectStat = fs.lstatSync(path.join(this.options.repoPath, 'objects', id.slice(0, 2), `${id.slice(2)}.${this.kind}`));
          this.repoInodes.set(objectStat.ino, id);
        } catch {
          // removed meanwhile: not a candidate
        }
      }
    }
    return this.repoInodes.get(stat.ino);
  }
}

function lstat(bytePath: string, target: string | Buffer): fs.Stats {
  try {
    return fs.lstatSync(target);
  } catch (error) {
    throw unreadable(bytePath, error);
  }
}

function readTarget(bytePath: string, target: string | Buffer): string {
  try {
    return (fs.readlinkSync(target, { encoding: 'buffer' }) as Buffer).toString('latin1');
  } catch (error) {
    throw unreadable(bytePath, error);
  }
}

/** A tree file's xattrs, minus a user-mode repo's own metadata xattr (copied checkouts carry it). */
export function treeXattrs(bytePath: string, target: string | Buffer): XattrList {
  let list: XattrList;
  try {
    list = readXattrList(target);
  } catch (error) {
    throw unreadable(bytePath, error);
  }
  return list.length > 0 && list.some(([name]) => name === USER_META_XATTR) ? list.filter(([name]) => name !== USER_META_XATTR) : list;
}

export function unreadable(bytePath: string, error: unknown): ArborError {
  if (error instanceof ArborError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new ArborError(ErrorCode.STORE_UNREADABLE, `Cannot read ${displayPath(bytePath)}: ${code}`, {
    hint: code === 'EACCES' ? 'Commit as a user that can read the whole tree (usually root)' : undefined,
    cause: error,
  });
}

export function unsupportedType(bytePath: string, mode: number): ArborError {
  const type = mode & S_IFMT;
  const name = type === 0o010000 ? 'a fifo' : type === 0o140000 ? 'a socket' : type === 0o020000 ? 'a character device' : type === 0o060000 ? 'a block device' : `file type ${type.toString(8)}`;
  return new ArborError(ErrorCode.STORE_FILE_TYPE_UNSUPPORTED, `${displayPath(bytePath)} is ${name}, which a commit cannot hold`, {
    hint: 'Remove it from the tree; devices, sockets and fifos are created at runtime (tmpfiles.d, udev)',
  });
}

function worldWritableRefused(bytePath: string, mode: number): ArborError {
  return new ArborError(ErrorCode.STORE_WORLD_WRITABLE, `${displayPath(bytePath)} is world-writable (mode ${octalPermissions(mode)}), which this repo refuses to commit`, {
    hint: 'chmod o-w the file, or set `world_writable = strip` in the [core] section of the repo config',
  });
}

function changed(bytePath: string): ArborError {
  return new ArborError(ErrorCode.STORE_UNREADABLE, `${displayPath(bytePath)} changed while it was being committed`, {
    hint: 'Commit a tree that nothing else is writing to',
  });
}
