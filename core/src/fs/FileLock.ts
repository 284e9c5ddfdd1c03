import fs from 'node:fs';
import path from 'node:path';
import { native } from './native';

/**
 * Runs `critical` holding an exclusive flock(2) on `file` (created when missing, with its
 * directory). For short read-compare-write sections, such as moving a ref or merging a
 * commit's signatures: the wait blocks the thread, which is fine for sections that do a read,
 * a write and a rename. The kernel drops the lock when the process dies, so a killed writer
 * never leaves a stale lock behind (a plain O_EXCL lock file would). The lock file itself is
 * never deleted: deleting it would let two writers lock two different inodes of one name.
 */
export function withFileLock<T>(file: string, critical: () => T): T {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o644);
  try {
    const addon = native();
    addon.flock(fd, addon.LOCK_EX);
    return critical();
  } finally {
    fs.closeSync(fd); // closing the descriptor releases the flock
  }
}
