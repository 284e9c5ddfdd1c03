import type { ComposeSession } from './hooks';
import type { Repo } from './store/Repo';
import type { Sysroot } from './sysroot/Sysroot';

/**
 * The last argument of every hook: what a tap may need from its surroundings. A new need
 * becomes a new field here, never a new positional argument (ostree's options-object rule).
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** One unit of long work (pull, compose, checkout) reported to the user. */
export interface ProgressTask {
  /** Advance by `count` items and optionally `bytes` bytes. */
  tick(count?: number, bytes?: number): void;
  /** Set or correct the expected total once it is known. */
  setTotal(total: number): void;
  done(): void;
}

export interface ProgressReporter {
  start(label: string, total?: number): ProgressTask;
}

export interface HookContext {
  logger: Logger;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** The repository being worked on, when there is one. */
  repo?: Repo;
  /** The sysroot being worked on, during sysroot commands (deploy, rollback, cleanup, ...). */
  sysroot?: Sysroot;
  /** The compose in progress, during `arbor compose tree` (every compose hook, commit included). */
  compose?: ComposeSession;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
};

const idleTask: ProgressTask = { tick() {}, setTotal() {}, done() {} };

export const silentProgress: ProgressReporter = {
  start: () => idleTask,
};
