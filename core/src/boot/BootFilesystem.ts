import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { pathBeneath } from '../fs/SafePath';
import { syncFilesystem } from '../fs/syncFilesystem';
import { BootErrorCode } from './BootErrorCode';
import { makeDirectories } from './makeDirectories';

/** statfs(2) f_type values (linux/magic.h) of the filesystems a boot partition is found on. */
const FILESYSTEM_NAMES: Record<number, string> = {
  0x4d44: 'vfat',
  0x2011bab0: 'exfat',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x65735546: 'fuse',
  0x5346544e: 'ntfs',
};

/** tempName's pattern: `.NAME.PID.tmp`. */
const TEMP_NAME = /^\..+\.\d+\.tmp$/;

/**
 * A boot partition (the ESP, XBOOTLDR or /boot) written with only the operations FAT has:
 * create, write, fsync, rename, unlink, mkdir and rmdir. There is deliberately no symlink
 * and no hardlink here, so a writer built on it works on vfat by construction (vfat answers
 * symlink(2) with EPERM, FUSE FAT drivers with ENOSYS). Paths are relative to the root.
 * Every errno becomes one ArborError naming the path and the filesystem it is on.
 */
export class BootFilesystem {
  private fsType?: string;

  /** `label` says what the partition is to the admin: `ESP`, `XBOOTLDR`, `/boot`. */
  constructor(readonly root: string, readonly label: string) {}

  /** The filesystem type, e.g. `vfat`, `ext4`, by statfs(2). */
  get type(): string {
    if (this.fsType === undefined) {
      try {
        const magic = Number(fs.statfsSync(this.root).type);
        this.fsType = FILESYSTEM_NAMES[magic] ?? `0x${magic.toString(16)}`;
      } catch {
        this.fsType = 'unknown';
      }
    }
    return this.fsType;
  }

  /**
   * The absolute path of `relative`: `..` cannot climb out of the partition, and no directory
   * on the way may be a symlink (ARBOR_FS_PATH_ESCAPES), so nothing is read or written through
   * a link planted on the partition. The last component is taken as it is: a rename replaces
   * a link there, and a removal unlinks it.
   */
  resolve(relative: string): string {
    return pathBeneath(this.root, path.posix.resolve('/', relative).slice(1), { rootMayBeLink: true });
  }

  exists(relative: string): boolean {
    return fs.existsSync(this.resolve(relative));
  }

  /** A directory's names, sorted; none when it does not exist. */
  list(relative: string): string[] {
    return this.attempt('read directory', relative, () => {
      try {
        return fs.readdirSync(this.resolve(relative)).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    });
  }

  readText(relative: string): string | undefined {
    return this.attempt('read', relative, () => {
      try {
        return fs.readFileSync(this.resolve(relative), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    });
  }

  isDirectory(relative: string): boolean {
    try {
      return fs.lstatSync(this.resolve(relative)).isDirectory();
    } catch {
      return false;
    }
  }

  /** `mkdir -p`; a failure names the errno of the component that could not be made (not Node's ENOENT). */
  mkdirs(relative: string, mode = 0o755): void {
    this.attempt('create directory', relative, () => makeDirectories(this.resolve(relative), mode));
  }

  /**
   * Writes `relative` so that it appears complete or not at all: the data goes to a temp name
   * beside it (ending in `.tmp`, which no bootloader reads), is fsynced, and is renamed into
   * place, replacing any old file; then the directory is fsynced so the rename is on disk.
   */
  writeDurable(relative: string, data: string | Uint8Array): void {
    const temp = this.tempName(relative);
    this.attempt('write', temp, () => {
      const fd = fs.openSync(this.resolve(temp), 'w', 0o644);
      try {
        fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
    this.rename(temp, relative);
    this.syncDir(path.posix.dirname(relative));
  }

  /** Copies a file from anywhere into `relative`, with writeDurable's guarantee. */
  copyDurable(source: string, relative: string): void {
    const temp = this.tempName(relative);
    this.attempt('copy to', temp, () => {
      // copyFile may clone or splice; the fsync below is what makes the bytes durable.
      fs.copyFileSync(source, this.resolve(temp));
      const fd = fs.openSync(this.resolve(temp), 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    });
    this.rename(temp, relative);
    this.syncDir(path.posix.dirname(relative));
  }

  rename(from: string, to: string): void {
    this.attempt('rename', from, () => fs.renameSync(this.resolve(from), this.resolve(to)), ` to ${to}`);
  }

  /** Deletes a file; a missing one is fine (a crash may have got there first). */
  remove(relative: string): void {
    this.attempt('remove', relative, () => fs.rmSync(this.resolve(relative), { force: true }));
  }

  /** Deletes a file or a whole directory tree; a missing one is fine. */
  removeTree(relative: string): void {
    this.attempt('remove', relative, () => fs.rmSync(this.resolve(relative), { recursive: true, force: true }));
  }

  /** Deletes an empty directory; keeps one that is not empty or missing. */
  removeEmptyDir(relative: string): void {
    this.attempt('remove directory', relative, () => {
      try {
        fs.rmdirSync(this.resolve(relative));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOENT') throw error;
      }
    });
  }

  /** fsync(2) on a directory, which makes renames in it durable; filesystems without it (EINVAL) are skipped. */
  syncDir(relative: string): void {
    this.attempt('sync directory', relative, () => {
      const fd = fs.openSync(this.resolve(relative), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      try {
        fs.fsyncSync(fd);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
      } finally {
        fs.closeSync(fd);
      }
    });
  }

  /** syncfs(2) on the whole partition: every write so far is on disk when it returns. */
  sync(): void {
    this.attempt('sync', '.', () => syncFilesystem(this.root));
  }

  /** A temp name beside `relative`, never ending in `.conf` or `.efi`, unique to this process. */
  tempName(relative: string): string {
    return path.posix.join(path.posix.dirname(relative), `.${path.posix.basename(relative)}.${process.pid}.tmp`);
  }

  /**
   * Deletes the temp files (tempName's `.NAME.PID.tmp`, and nothing else) a killed writer left
   * in `dir`; the caller holds the sysroot lock, so no live writer owns one. Returns their paths.
   */
  removeStaleTemps(dir: string): string[] {
    const removed: string[] = [];
    for (const name of this.list(dir)) {
      if (!TEMP_NAME.test(name)) continue;
      this.remove(path.posix.join(dir, name));
      removed.push(path.posix.join(dir, name));
    }
    return removed;
  }

  /**
   * Runs `run`, turning an errno into ARBOR_BOOT_FILESYSTEM naming `relative` and this
   * partition; for the operations a caller does itself (the BLS writer's symlink swap, the
   * kernel copy). A full partition (ENOSPC, EDQUOT) is ARBOR_FS_NO_SPACE, the code a full
   * disk has everywhere else in Arbor.
   */
  attempt<T>(operation: string, relative: string, run: () => T, detail = ''): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof ArborError) throw error;
      const errno = error as NodeJS.ErrnoException;
      if (!errno.code) throw error;
      const where = path.posix.resolve('/', relative);
      const full = errno.code === 'ENOSPC' || errno.code === 'EDQUOT';
      throw new ArborError(
        full ? ErrorCode.FS_NO_SPACE : BootErrorCode.FILESYSTEM,
        `${full ? 'No space left to' : 'Cannot'} ${operation} ${where}${detail} on the ${this.label} (${this.type} at ${this.root}): ${errno.code} (${errno.syscall ?? operation})`,
        { cause: error, hint: hintFor(errno.code) },
      );
    }
  }
}

function hintFor(code: string): string | undefined {
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'The partition is full: `arbor cleanup` removes kernels no deployment boots';
    case 'EROFS':
      return 'The partition is mounted read-only: remount it read-write';
    case 'EACCES':
    case 'EPERM':
      return 'Run as root, and check the partition is mounted writable';
    case 'EIO':
      return 'The disk reported an I/O error: check it with fsck.fat -n (or e2fsck -n)';
    default:
      return undefined;
  }
}
