import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { CheckoutRequest, CheckoutResult } from '../hooks';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';
import { resolveTreePath } from './resolveTreePath';

export interface CheckoutCommitOptions {
  /** A ref, a commit ID or prefix, optionally with `^` (docs/command-contract.md REF). */
  ref: string;
  dest: string;
  /** `hardlink` (default), `reflink`, `copy`, or any strategy a plugin offers. */
  strategy?: string;
  /** Check out only this directory of the commit. */
  subpath?: string;
  /** Merge into an existing DEST: directories are kept, files are replaced. */
  union?: boolean;
  signal?: AbortSignal;
}

export interface CheckoutCommitResult extends CheckoutResult {
  commit: ObjectId;
  dest: string;
}

export const DEFAULT_STRATEGY = 'hardlink';

/**
 * Materializes a commit (or a subdirectory of it) at DEST through the `checkout` hook: the first
 * tap that offers the strategy does the work (plugins/storage offers hardlink, reflink and
 * copy). Holds the repo lock shared, so prune cannot delete objects being linked.
 */
export async function checkoutCommit(arbor: Arbor, repo: Repo, options: CheckoutCommitOptions): Promise<CheckoutCommitResult> {
  const context = arbor.context({ repo, ...(options.signal ? { signal: options.signal } : {}) });
  const lock = await repo.lock('shared', { onWait: () => context.logger.info(`Waiting for a prune of ${repo.path} to finish...`) });
  try {
    const commit = repo.resolveRev(options.ref);
    const entry = resolveTreePath(repo, commit, options.subpath ?? '/');
    if (entry.type !== 'dir') {
      throw new ArborError(ErrorCode.STORE_PATH_NOT_FOUND, `${options.subpath} is a file in commit ${commit}, not a directory`, {
        hint: 'Use `arbor cat` for a single file',
      });
    }
    const request: CheckoutRequest = {
      repo,
      commit,
      subpath: entry.path,
      dirtree: entry.tree,
      dirmeta: entry.meta,
      dest: path.resolve(options.dest),
      strategy: options.strategy ?? DEFAULT_STRATEGY,
      union: options.union ?? false,
    };
    // A failed checkout must not leave a DEST it made (empty or half-written) behind.
    const destExisted = fs.lstatSync(request.dest, { throwIfNoEntry: false }) !== undefined;
    let result: CheckoutResult | undefined;
    try {
      result = await arbor.hooks.checkout.promise(request, context);
    } catch (error) {
      if (!destExisted) removeCreatedDest(request.dest);
      throw error;
    }
    if (!result) {
      const offered = arbor.taps.filter((tap) => tap.hook === 'checkout').map((tap) => tap.plugin);
      throw new ArborError(ErrorCode.STORE_STRATEGY_UNKNOWN, `No plugin offers the checkout strategy "${request.strategy}"`, {
        hint: offered.length
          ? `Plugins tapping checkout: ${offered.join(', ')}; @arbor/plugin-storage offers hardlink, reflink and copy`
          : 'No plugin taps checkout: add "storage" to the config\'s plugins (the default preset has it)',
      });
    }
    return { ...result, commit, dest: request.dest };
  } finally {
    lock.release();
  }
}

/** Best effort: the checkout's own error is what the user needs; a read-only leftover directory is not. */
function removeCreatedDest(dest: string): void {
  try {
    fs.rmSync(dest, { recursive: true, force: true });
  } catch {
    // e.g. a 0555 directory a non-root checkout already closed; its error stays the one reported
  }
}
