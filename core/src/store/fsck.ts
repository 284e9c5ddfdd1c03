import path from 'node:path';
import type { Arbor } from '../Arbor';
import { isArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { displayPath } from './BytePath';
import { FileVerifier, type VerifyJob, type VerifyResult } from './FileVerifier';
import type { ObjectId, ObjectKindName } from './ObjectId';
import type { Repo } from './Repo';
import { runOnWorkers } from './WorkerPool';

export interface FsckOptions {
  signal?: AbortSignal;
}

export interface FsckProblem {
  id: ObjectId;
  kind: ObjectKindName;
  status: 'corrupt' | 'missing';
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
  problems: FsckProblem[];
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
  const lock = await repo.lock('shared');
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
        for (const file of listing.files) {
          if (!firstTime(file.file, 'file')) continue;
          jobs.push({ index: jobs.length, id: file.file });
          origins.push({ path: displayPath(prefix + file.name), commit, ref });
        }
        for (const dir of listing.dirs) stack.push({ tree: dir.tree, meta: dir.meta, path: prefix + dir.name });
      }
    };

    for (const [ref, tip] of Object.entries(repo.listRefs())) {
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
        id = commit.parent;
      }
    }

    const progress = jobs.length >= 2000 ? context.progress.start('fsck', jobs.length) : undefined;
    const options = { repoPath: repo.path, repoMode: repo.mode };
    const results = await runOnWorkers<VerifyJob, VerifyResult>(
      path.join(__dirname, 'verifyWorker.js'),
      options,
      jobs,
      () => {
        const verifier = new FileVerifier(options);
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
    const ids = (status: 'corrupt' | 'missing'): ObjectId[] => [...new Set(problems.filter((problem) => problem.status === status).map((problem) => problem.id))];
    return { checked, corrupt: ids('corrupt'), missing: ids('missing'), problems };
  } finally {
    lock.release();
  }
}
