import type { Arbor } from '../Arbor';
import type { HookContext } from '../HookContext';
import { Repo } from '../store/Repo';
import { Sysroot } from './Sysroot';
import { SysrootLock } from './SysrootLock';
import { recoverInterruptedSwap } from './swapBootOrder';

/** What every sysroot command takes: where, with which plugins, and how to wait for the lock. */
export interface SysrootOptions {
  /** The sysroot's path; `/` on a running system. */
  sysroot: string;
  arbor: Arbor;
  /** Wait for another command's lock (default), or fail at once (`--no-wait`). */
  wait?: boolean;
  /** Told when the lock is busy and the command starts waiting. */
  onWait?: (message: string) => void;
  signal?: AbortSignal;
  /** The config's `storage`: the strategy deploy uses, over the one the sysroot recorded. */
  storage?: string;
}

/**
 * An open sysroot with what its operations need: its store, the hook context (whose
 * `sysroot` and `repo` are these), and, for commands that change it, its lock.
 */
export class SysrootSession {
  private constructor(
    readonly sysroot: Sysroot,
    readonly arbor: Arbor,
    readonly repo: Repo,
    readonly context: HookContext,
    /** The storage strategy the config names, if any (deployStrategy decides). */
    readonly storage?: string,
  ) {}

  /**
   * Opens the sysroot and runs `action`; with `lock`, holding the sysroot's lock the whole
   * time. Read-only commands (status, etc diff) skip the lock: every change they could see is
   * an atomic rename, so they read either the old state or the new one.
   */
  static async run<T>(options: SysrootOptions & { lock: boolean; purpose: string }, action: (session: SysrootSession) => Promise<T>): Promise<T> {
    const sysroot = Sysroot.open(options.sysroot);
    const lock = options.lock
      ? await SysrootLock.acquire(sysroot.path, { wait: options.wait, onWait: options.onWait, purpose: options.purpose, signal: options.signal })
      : undefined;
    try {
      const repo = Repo.open(sysroot.repoPath);
      const context = options.arbor.context({ sysroot, repo, ...(options.signal ? { signal: options.signal } : {}) });
      if (lock) await recoverInterruptedSwap(sysroot, options.arbor, context);
      return await action(new SysrootSession(sysroot, options.arbor, repo, context, options.storage));
    } finally {
      lock?.release();
    }
  }

  /**
   * The commit's `version` metadata, for titles and status. A commit pruned by hand (each
   * deployment holds a ref, so only by hand) has none; titles then use os-release's VERSION.
   */
  versionOf = (commit: string): string | undefined => {
    if (!this.repo.hasObject(commit, 'commit')) return undefined;
    const version = this.repo.readCommit(commit).metadata.version;
    return typeof version === 'string' ? version : undefined;
  };
}
