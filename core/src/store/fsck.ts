import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { isArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { exceedsPathMax, PATH_MAX } from '../fs/pathMax';
import { displayPath } from './BytePath';
import { FileVerifier, type VerifyJob, type VerifyResult } from './FileVerifier';
import type { ObjectId, ObjectKindName } from './ObjectId';
import type { Repo } from './Repo';
import { findStaleStaging, type StaleStaging } from './StaleStaging';
import { runOnWorkers } from './WorkerPool';

export interface FsckOptions {
  signal?: AbortSignal;
  /**
   * Delete every corrupt object (as `ostree fsck --delete`), so that the next pull fetches it
   * again. Takes the repo lock exclusive, so no writer is renaming a good copy into place.
   */
  delete?: boolean;
  /** Check only these commits' trees (no refs, no history): `deploy --verify` checks the one it deploys. */
  commits?: ObjectId[];
}

export interface FsckProblem {
  id: ObjectId;
  kind: ObjectKindName;
  /** `invalid`: well-formed, but unsafe: a path no filesystem can take (longer than PATH_MAX), or a world-writable file in a bare repo. */
  status: 'corrupt' | 'missing' | 'invalid';
  /** The first path found that reaches the object, inside `commit`. */
  path: string;
  commit: ObjectId;
  ref: string;
  reason?: string;
}

export interface FsckResult {
  /** Objects checked (commits, dirtrees, dirmetas, files, signatures). */
  checked: number;
  corrupt: ObjectId[];
  missing: ObjectId[];
  invalid: ObjectId[];
  problems: FsckProblem[];
  /** Corrupt objects deleted (`delete` only). */
  deleted: ObjectId[];
  /** Staging directories in tmp/ that killed commits or pulls left (prune or the next commit removes them). */
  staleStaging: StaleStaging[];
}

interface Origin {
  path: string;
  commit: ObjectId;
  ref: string;
}

/**
 * Re-hashes every object reachable from a ref, once each: the commits of each ref's history,
 * their dirtrees and dirmetas (main thread) and every file object (worker threads). A parent
 * commit that is absent is history cut by `prune --depth`, not damage; anything else absent or
 * not hashing to its ID is reported with the first path that reaches it.
 */
export async function fsck(arbor: Arbor, repo: Repo, options: FsckOptions = {}): Promise<FsckResult> {
  const context = arbor.context({ repo, ...(options.signal ? { signal: options.signal } : {}) });
  const deleting = options.delete ?? false;
  const lock = await repo.lock(deleting ? 'exclusive' : 'shared');
  try {
    const problems: FsckProblem[] = [];
    const seen = new Set<string>();
    let checked = 0;
    const jobs: VerifyJob[] = [];
    const origins: Origin[] = [];

    const report = (id: ObjectId, kind: ObjectKindName, origin: Origin, error: unknown): void => {
      const missing = isArborError(error) && error.code === ErrorCode.STORE_OBJECT_MISSING;
      problems.push({ id, kind, status: missing ? 'missing' : 'corrupt', ...origin, reason: missing ? undefined : (error as Error).message });
    };
    const firstTime = (id: ObjectId, kind: ObjectKindName): boolean => {
      const key = `${id}.${kind}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    };

    const walkTree = (rootTree: ObjectId, rootMeta: ObjectId, commit: ObjectId, ref: string): void => {
      const stack: Array<{ tree: ObjectId; meta: ObjectId; path: string }> = [{ tree: rootTree, meta: rootMeta, path: '/' }];
      while (stack.length > 0) {
        const { tree, meta, path: dirPath } = stack.pop()!;
        const origin = { path: displayPath(dirPath), commit, ref };
        if (firstTime(meta, 'dirmeta')) {
          checked++;
          try {
            repo.readDirMeta(meta);
          } catch (error) {
            report(meta, 'dirmeta', origin, error);
          }
        }
        if (!firstTime(tree, 'dirtree')) continue;
        checked++;
        let listing;
        try {
          listing = repo.readDirTree(tree);
        } catch (error) {
          report(tree, 'dirtree', origin, error);
          continue;
        }
        const prefix = dirPath === '/' ? '/' : `${dirPath}/`;
        // Walked with a stack, so depth cannot overflow; but a path past PATH_MAX is unusable.
        const tooLong = [...listing.files, ...listing.dirs].find((entry) => exceedsPathMax(prefix.length + entry.name.length));
        if (tooLong) {
          const bytes = prefix.length + tooLong.name.length;
          problems.push({ id: tree, kind: 'dirtree', status: 'invalid', ...origin, reason: `it holds a path of ${bytes} bytes, longer than PATH_MAX (${PATH_MAX}): no checkout can create it` });
          continue;
        }
        for (const file of listing.files) {
          if (!firstTime(file.file, 'file')) continue;
          jobs.push({ index: jobs.length, id: file.file });
          origins.push({ path: displayPath(prefix + file.name), commit, ref });
        }
        for (const dir of listing.dirs) stack.push({ tree: dir.tree, meta: dir.meta, path: prefix + dir.name });
      }
    };

    const starts: Array<[string, ObjectId]> = options.commits ? options.commits.map((id) => [id, id]) : Object.entries(repo.listRefs());
    for (const [ref, tip] of starts) {
      context.signal.throwIfAborted();
      for (let id: ObjectId | null = tip; id && firstTime(id, 'commit');) {
        const origin = { path: '/', commit: id, ref };
        let commit;
        try {
          commit = repo.readCommit(id);
        } catch (error) {
          const cutHistory = id !== tip && isArborError(error) && error.code === ErrorCode.STORE_OBJECT_MISSING;
          if (!cutHistory) report(id, 'commit', origin, error);
          break;
        }
        checked++;
        try {
          if (repo.readCommitSignatures(id)) checked++;
        } catch (error) {
          report(id, 'commitsig', origin, error);
        }
        walkTree(commit.rootTree, commit.rootMeta, id, ref);
        id = options.commits ? null : commit.parent;
      }
    }

    const progress = jobs.length >= 2000 ? context.progress.start('fsck', jobs.length) : undefined;
    const verifierOptions = { repoPath: repo.path, repoMode: repo.mode };
    const results = await runOnWorkers<VerifyJob, VerifyResult>(
      path.join(__dirname, 'verifyWorker.js'),
      verifierOptions,
      jobs,
      () => {
        const verifier = new FileVerifier(verifierOptions);
        return (job) => verifier.verify(job);
      },
      { inlineBelow: 512, signal: context.signal, onResults: (done) => progress?.tick(done.length, done.reduce((sum, result) => sum + result.bytes, 0)) },
    );
    progress?.done();
    for (const result of results) {
      checked++;
      if (result.status === 'ok') continue;
      problems.push({ id: jobs[result.index]!.id, kind: repo.fileKind, status: result.status, ...origins[result.index]!, reason: result.reason });
    }
    const ids = (status: FsckProblem['status']): ObjectId[] => [...new Set(problems.filter((problem) => problem.status === status).map((problem) => problem.id))];
    const deleted = deleting ? deleteCorrupt(repo, problems) : [];
    return { checked, corrupt: ids('corrupt'), missing: ids('missing'), invalid: ids('invalid'), problems, deleted, staleStaging: findStaleStaging(repo) };
  } finally {
    lock.release();
  }
}

/** Unlinks each corrupt object once; what the next pull lacks, it fetches again. */
function deleteCorrupt(repo: Repo, problems: FsckProblem[]): ObjectId[] {
  const deleted = new Set<ObjectId>();
  for (const problem of problems) {
    if (problem.status !== 'corrupt' || deleted.has(problem.id)) continue;
    try {
      fs.unlinkSync(repo.objectPath(problem.id, problem.kind));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    deleted.add(problem.id);
  }
  return [...deleted];
}
