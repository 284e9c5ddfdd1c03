import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { native } from '../fs/native';

export type LockKind = 'shared' | 'exclusive';

export interface LockOptions {
  /** How long to wait for a conflicting holder; default 10 minutes. 0 fails at once. */
  timeoutMs?: number;
  /** Told once when the lock is busy, so the user knows why nothing happens. */
  onWait?: () => void;
}

/**
 * The repo lock: flock(2) on `<repo>/.lock`, through the native addon. Writers (commit, pull,
 * checkout, fsck) take it shared, so any number run at once; prune takes it exclusive, so it
 * never deletes an object a writer is about to reference. flock belongs to the open file, so
 * the kernel drops it when the process dies: a killed process can never leave a stale lock,
 * which is why this beats an O_EXCL lock file with pid checks.
 */
export class RepoLock {
  private constructor(private fd: number | undefined, readonly kind: LockKind) {}

  static async acquire(repoPath: string, kind: LockKind, options: LockOptions = {}): Promise<RepoLock> {
    const file = path.join(repoPath, '.lock');
    let fd: number;
    try {
      fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    } catch (error) {
      // A read-only repo (a mounted image, a served directory) can still be locked for reading.
      if ((error as NodeJS.ErrnoException).code !== 'EACCES' && (error as NodeJS.ErrnoException).code !== 'EROFS') throw error;
      fd = fs.openSync(file, fs.constants.O_RDONLY);
    }
    const addon = native();
    const operation = (kind === 'shared' ? addon.LOCK_SH : addon.LOCK_EX) | addon.LOCK_NB;
    const timeoutMs = options.timeoutMs ?? 10 * 60 * 1000;
    const started = Date.now();
    let delay = 10;
    let told = false;
    while (!addon.flock(fd, operation)) {
      if (Date.now() - started >= timeoutMs) {
        fs.closeSync(fd);
        throw new ArborError(ErrorCode.STORE_LOCKED, `The repo ${repoPath} is locked by another arbor process (${kind} lock wanted)`, {
          hint: kind === 'exclusive' ? 'A commit, pull or checkout is running; retry when it ends' : 'A prune is running; retry when it ends',
        });
      }
      if (!told) {
        options.onWait?.();
        told = true;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 250);
    }
    return new RepoLock(fd, kind);
  }

  release(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    fs.closeSync(fd); // closing the last descriptor releases the flock
  }
}
