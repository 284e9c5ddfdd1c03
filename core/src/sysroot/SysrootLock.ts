import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { native } from '../fs/native';

export interface SysrootLockOptions {
  /** Wait for the holder to finish (default), or fail at once with ARBOR_SYSROOT_LOCKED. */
  wait?: boolean;
  /** Told once, when the lock is busy and we start waiting. */
  onWait?: (message: string) => void;
  /** What this process is doing, shown to whoever waits for it. */
  purpose?: string;
  signal?: AbortSignal;
}

const POLL_MS = 100;

/**
 * One exclusive lock per sysroot, so two commands never change deployments at once. It is a
 * flock(2) on `arbor/lock`: the kernel drops it when its holder dies, even by SIGKILL, so a
 * crash never leaves a stale lock behind. The file also says who holds it, for the message
 * a waiting command prints; that text may be stale, the flock never is.
 */
export class SysrootLock {
  private constructor(private fd: number | undefined) {}

  static async acquire(sysroot: string, options: SysrootLockOptions = {}): Promise<SysrootLock> {
    const file = path.join(sysroot, 'arbor', 'lock');
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    const { flock, LOCK_EX, LOCK_NB } = native();
    try {
      let told = false;
      while (!flock(fd, LOCK_EX | LOCK_NB)) {
        const holder = readHolder(fd);
        if (options.wait === false) {
          throw new ArborError(ErrorCode.SYSROOT_LOCKED, `Sysroot ${sysroot} is locked by another arbor command${holder}`, {
            hint: 'Wait for it to finish, or run again without --no-wait to wait for it',
          });
        }
        if (!told) {
          options.onWait?.(`Waiting for another arbor command${holder} to release ${file}...`);
          told = true;
        }
        if (options.signal?.aborted) throw new ArborError(ErrorCode.ABORTED, `Gave up waiting for the lock on ${sysroot}`);
        await sleep(POLL_MS);
      }
      fs.ftruncateSync(fd, 0);
      fs.writeSync(fd, `${process.pid} ${options.purpose ?? 'arbor'}\n`, 0);
      return new SysrootLock(fd);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /** Releases the lock; closing the descriptor is what drops a flock. */
  release(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Runs `action` holding the sysroot's lock, and releases it however `action` ends. */
export async function withSysrootLock<T>(sysroot: string, options: SysrootLockOptions, action: () => Promise<T>): Promise<T> {
  const lock = await SysrootLock.acquire(sysroot, options);
  try {
    return await action();
  } finally {
    lock.release();
  }
}

function readHolder(fd: number): string {
  const buffer = Buffer.alloc(256);
  const length = fs.readSync(fd, buffer, 0, buffer.length, 0);
  const [pid, ...purpose] = buffer.subarray(0, length).toString('utf8').trim().split(' ');
  return pid ? ` (pid ${pid}${purpose.length ? `, ${purpose.join(' ')}` : ''})` : '';
}
