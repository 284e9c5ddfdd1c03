import fs from 'node:fs';
import path from 'node:path';
import { ArborError, makeDirectories } from '@arbor/core';
import { GrubErrorCode } from './GrubErrorCode';

/** statfs(2) f_type magic numbers (linux/magic.h) for the filesystems /boot and the ESP live on. */
const FILESYSTEM_NAMES: ReadonlyMap<number, string> = new Map([
  [0xef53, 'ext4'],
  [0x4d44, 'vfat'],
  [0x2011bab0, 'exfat'],
  [0x9123683e, 'btrfs'],
  [0x58465342, 'xfs'],
  [0x01021994, 'tmpfs'],
  [0x858458f6, 'ramfs'],
  [0x794c7630, 'overlayfs'],
  [0x65735546, 'fuse'],
  [0x6969, 'nfs'],
  [0x5346544e, 'ntfs'],
  [0x73717368, 'squashfs'],
  [0xe0f5e1e2, 'erofs'],
]);

/** The filesystem type that holds `file` (or its nearest existing parent), e.g. `vfat`. */
export function filesystemOf(file: string): string {
  let dir = file;
  for (;;) {
    try {
      const type = fs.statfsSync(dir).type;
      return FILESYSTEM_NAMES.get(type) ?? `filesystem type 0x${type.toString(16)}`;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return 'an unknown filesystem';
      dir = parent;
    }
  }
}

/**
 * Runs one filesystem step and turns any errno into an ArborError that names the path, the
 * filesystem it is on and the errno: on a FAT /boot "EPERM symlink" alone says nothing.
 */
export function onBootFs<T>(action: string, file: string, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof ArborError) throw error;
    const errno = (error as NodeJS.ErrnoException).code ?? 'EIO';
    throw new ArborError(GrubErrorCode.FILESYSTEM, `Cannot ${action} ${file} on ${filesystemOf(file)}: ${errno}`, {
      cause: error,
      hint: errno === 'ENOSPC' ? 'The boot filesystem is full: remove old kernels with arbor cleanup' : undefined,
    });
  }
}

/**
 * `relative` inside `root`, refusing any existing component that is a symlink, so that a
 * writer never follows a link out of the sysroot (a /boot/grub -> /elsewhere would otherwise
 * make us write into the host).
 */
export function insideSysroot(root: string, relative: string): string {
  const parts = relative.split('/').filter((part) => part && part !== '.');
  if (parts.includes('..')) {
    throw new ArborError(GrubErrorCode.PATH_ESCAPES, `"${relative}" leaves the sysroot ${root}`);
  }
  let current = root;
  for (const part of parts) {
    current = path.join(current, part);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(current);
    } catch {
      break;
    }
    if (stat.isSymbolicLink()) {
      throw new ArborError(GrubErrorCode.PATH_ESCAPES, `${current} is a symlink; Arbor writes GRUB files only through real directories`, {
        hint: `Point the grub plugin's option at the real file inside ${root}`,
      });
    }
  }
  return path.join(root, ...parts);
}

export function readIfExists(file: string): Buffer | undefined {
  return onBootFs('read', file, () => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  });
}

/**
 * Replaces `file` in one rename: write `<file>.new`, fsync it, rename it over `file`, fsync the
 * directory. Renames work on every filesystem /boot lives on, FAT included (no symlinks needed),
 * so a crash leaves the old file or the new one, never a torn one.
 */
export function replaceFile(file: string, data: string | Buffer): void {
  const dir = path.dirname(file);
  const temp = `${file}.new`;
  // Not fs.mkdirSync's recursive mode, which reports a read-only /boot as ENOENT.
  onBootFs('create the directory', dir, () => makeDirectories(dir));
  const fd = onBootFs('write', temp, () => fs.openSync(temp, 'w', 0o644));
  try {
    onBootFs('write', temp, () => {
      fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
      fs.fsyncSync(fd);
    });
  } finally {
    fs.closeSync(fd);
  }
  onBootFs('rename over', file, () => fs.renameSync(temp, file));
  syncDirectory(dir);
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (error) {
    // FAT and some FUSE filesystems refuse fsync on a directory; the rename is still done.
    if (!['EINVAL', 'EISDIR', 'ENOTSUP', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      onBootFs('sync', dir, () => {
        throw error;
      });
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
