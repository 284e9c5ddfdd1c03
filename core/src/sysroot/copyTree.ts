import fs from 'node:fs';
import path from 'node:path';
import { readXattrList, setXattr } from '../fs/xattr';

/**
 * Real copies (never hardlinks) of files, symlinks and directories with their mode, owner,
 * times and xattrs (SELinux labels must follow a config file). A deployment's etc/ and the stateroot's var are made this way: they are mutable, and
 * a hardlink into the repo would let an edit corrupt a stored object. Copies use reflinks
 * where the filesystem has them. Sync calls on purpose: this is metadata-heavy work, and sync
 * fs calls beat libuv's thread pool for it (docs/performance.md).
 */

/**
 * Copies the tree at `src` to `dest`, which must not exist. Returns the paths (relative to
 * `src`) of special files (fifos, sockets, devices), which are skipped, not copied.
 */
export function copyTree(src: string, dest: string): string[] {
  const skipped: string[] = [];
  copyInto(src, dest, '', skipped);
  return skipped;
}

function copyInto(src: string, dest: string, relative: string, skipped: string[]): void {
  const stat = fs.lstatSync(src);
  if (!stat.isDirectory()) {
    if (!copyEntry(src, dest, stat)) skipped.push(relative);
    return;
  }
  // Created owner-writable; the real mode goes on last, so a 0500 directory can be filled.
  fs.mkdirSync(dest, { mode: 0o700 });
  for (const name of fs.readdirSync(src).sort()) {
    copyInto(path.join(src, name), path.join(dest, name), relative ? `${relative}/${name}` : name, skipped);
  }
  copyMetadata(src, dest, stat);
}

/**
 * Copies one file or symlink (a symlink as a link, never followed, so a dangling one stays
 * dangling). Returns false, copying nothing, for special files.
 */
export function copyEntry(src: string, dest: string, stat: fs.Stats = fs.lstatSync(src)): boolean {
  if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(src), dest);
    copyMetadata(src, dest, stat);
    return true;
  }
  if (!stat.isFile()) return false;
  fs.copyFileSync(src, dest, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
  copyMetadata(src, dest, stat);
  return true;
}

/**
 * Gives `dest` the owner, mode, times and xattrs of `src` (whose lstat is `stat`). The owner
 * goes first, since chown clears setuid bits.
 */
export function copyMetadata(src: string, dest: string, stat: fs.Stats): void {
  if (stat.uid !== process.getuid?.() || stat.gid !== process.getgid?.()) {
    fs.lchownSync(dest, stat.uid, stat.gid);
  }
  for (const [name, value] of readXattrList(src)) setXattr(dest, name, value);
  if (stat.isSymbolicLink()) {
    fs.lutimesSync(dest, stat.atime, stat.mtime);
    return;
  }
  fs.chmodSync(dest, stat.mode & 0o7777);
  fs.utimesSync(dest, stat.atime, stat.mtime);
}
