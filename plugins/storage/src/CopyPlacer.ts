import fs from 'node:fs';
import {
  isSymlinkMode,
  osPath,
  readFileContent,
  streamFileContent,
  ArborError,
  ErrorCode,
  type FileMeta,
  type Repo,
} from '@arbor/core';
import type { FilePlacer } from './FilePlacer';
import type { XattrWriter } from './XattrWriter';

const isRoot = process.getuid?.() === 0;
/** Archive objects up to this size are decompressed in memory; larger ones are streamed. */
const IN_MEMORY = 64 * 1024 * 1024;
const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL;

/**
 * `copy` and `reflink`: each file object becomes a file of its own with the object's owner,
 * mode, xattrs and mtime 0. reflink asks copy_file_range/FICLONE for shared extents (btrfs,
 * xfs) and silently copies bytes where the filesystem cannot (libuv's COPYFILE_FICLONE).
 * Archive objects are decompressed and checked against their ID as they are written.
 *
 * Paths that share one object in the commit share one inode in the checkout too (the first
 * copy, then hardlinks of it), so every strategy gives the same hardlink groups. Run by a
 * non-root user, owners are left to the user and only user.* xattrs are applied, as ostree's
 * --user-mode does.
 */
export class CopyPlacer implements FilePlacer {
  private readonly firstCopy = new Map<string, string | Buffer>();
  /** Set once the filesystem refused a clone: the rest are plain copies, and the result says so. */
  private reflinkRefused = false;

  constructor(private readonly repo: Repo, private readonly options: { reflink: boolean; xattrs: XattrWriter }) {}

  /**
   * What was actually done: `reflink` only while every file was cloned. An archive repo's
   * objects are compressed, so their content is written out, never cloned.
   */
  get strategy(): string {
    return this.options.reflink && !this.reflinkRefused && this.repo.mode !== 'archive' ? 'reflink' : 'copy';
  }

  place(id: string, dest: string): boolean {
    const target = osPath(dest);
    const first = this.firstCopy.get(id);
    if (first !== undefined) {
      try {
        fs.linkSync(first, target);
        return false;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EMLINK' && code !== 'EXDEV' && code !== 'EPERM') throw error;
      }
    }
    const object = this.repo.fileObject(id);
    // Archive objects up to IN_MEMORY are read once, whole: header, then verified content.
    const whole = this.repo.mode === 'archive' && fs.statSync(object.path).size <= IN_MEMORY ? readFileContent(object) : undefined;
    const meta = whole?.meta ?? this.repo.readFileMeta(id);
    if (isSymlinkMode(meta.mode)) {
      fs.symlinkSync(Buffer.from(meta.target, 'latin1'), target);
      if (isRoot) fs.lchownSync(target, meta.uid, meta.gid);
      this.options.xattrs.write(target, meta.xattrs);
      fs.lutimesSync(target, 0, 0);
    } else {
      let fd: number;
      if (this.repo.mode !== 'archive') {
        this.copyContent(object.path, target);
        fd = fs.openSync(target, fs.constants.O_WRONLY);
      } else {
        fd = fs.openSync(target, CREATE, 0o600);
        try {
          if (whole) writeAll(fd, whole.content);
          else writeArchiveContent(this.repo, id, meta, fd);
        } catch (error) {
          fs.closeSync(fd);
          fs.rmSync(target, { force: true });
          throw error;
        }
      }
      try {
        if (isRoot) fs.fchownSync(fd, meta.uid, meta.gid);
        fs.fchmodSync(fd, meta.mode & 0o7777);
        this.options.xattrs.write(target, meta.xattrs);
        fs.futimesSync(fd, 0, 0);
      } finally {
        fs.closeSync(fd);
      }
    }
    this.firstCopy.set(id, target);
    return true;
  }

  /**
   * reflink asks for a clone outright (FICLONE_FORCE) so that a filesystem without clones
   * (ext4) is noticed rather than silently copied, as libuv's plain FICLONE would.
   */
  private copyContent(source: string, target: string | Buffer): void {
    if (this.options.reflink && !this.reflinkRefused) {
      try {
        fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE_FORCE);
        return;
      } catch (error) {
        if (!isCloneRefusal(error)) throw error;
        this.reflinkRefused = true;
        fs.rmSync(target, { force: true });
      }
    }
    fs.copyFileSync(source, target, fs.constants.COPYFILE_EXCL);
  }
}

function isCloneRefusal(error: unknown): boolean {
  return ['ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EINVAL', 'ENOSYS', 'ENOTTY'].includes((error as NodeJS.ErrnoException).code ?? '');
}


/** Streams a large archive object into fd, verifying BLAKE3(header || content) == id. */
function writeArchiveContent(repo: Repo, id: string, meta: FileMeta, fd: number): void {
  const actual = streamFileContent(repo.fileObject(id), meta, (chunk) => writeAll(fd, chunk));
  if (actual !== id) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `File object ${id} is corrupt: its bytes hash to ${actual}`);
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}
