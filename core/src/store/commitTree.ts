import path from 'node:path';
import type { Arbor } from '../Arbor';
import type { ComposeSession, LabelRequest } from '../hooks';
import { displayPath } from './BytePath';
import { encodeCommit, type Commit } from './Commit';
import { encodeDirMeta, type DirMeta } from './DirMeta';
import { encodeDirTree, type DirTree } from './DirTree';
import { FileHasher, type FileHasherOptions, type HashJob, type HashResult } from './FileHasher';
import { ObjectIndex } from './ObjectIndex';
import type { ObjectId } from './ObjectId';
import { ObjectStaging } from './ObjectStaging';
import { parseRef } from './RefName';
import type { Repo } from './Repo';
import { labelsWanted, TreeLabeler } from './TreeLabeler';
import { scanTree, type TreeScan } from './TreeScan';
import { JobFeed, runOnWorkers } from './WorkerPool';
import { assertSigner } from '../signing/signData';
import { signCommit } from '../signing/signCommit';

export interface CommitTreeOptions {
  /** The directory to commit. */
  tree: string;
  /** The ref to move to the new commit (`os/stable`, or `remote:name`). */
  branch: string;
  subject?: string;
  body?: string;
  /** JSON metadata; the `commit` hook may change it. */
  metadata?: Record<string, unknown>;
  /** Seconds since the epoch; default $SOURCE_DATE_EPOCH, else now. */
  timestamp?: number;
  /** The parent; default the branch's current commit. `null` for a root commit. */
  parent?: ObjectId | null;
  /** A key for `sign` taps (a key file, or `<type>:<id>`): the commit is signed before the ref moves to it. */
  signKey?: string;
  /** What `label` taps are asked for (`--file-contexts`, compose's `selinux`). */
  label?: LabelRequest;
  /** The compose this commit ends, so `label` and `commit` taps see `context.compose`. */
  compose?: ComposeSession;
  signal?: AbortSignal;
}

export interface CommitTreeResult {
  commit: ObjectId;
  ref: string;
  parent: ObjectId | null;
  rootTree: ObjectId;
  rootMeta: ObjectId;
  /** Files and directories in the tree, objects newly written, content bytes read. */
  stats: { files: number; directories: number; written: number; bytesRead: number };
}

/** Trees with fewer files than this commit without a progress bar. */
const PROGRESS_MIN = 2000;

/**
 * Commits a directory: scan, hash every file into its object ID on worker threads (writing only
 * objects the repo lacks), build dirtrees bottom-up, write the commit, publish everything with
 * one sync, then move the ref. Holds the repo lock shared, so other commits run at the same
 * time and prune waits. Nothing reaches objects/ until every file hashed, and the ref moves
 * last: a failure or a kill leaves the repo as it was (plus a staging dir prune removes).
 */
export async function commitTree(arbor: Arbor, repo: Repo, options: CommitTreeOptions): Promise<CommitTreeResult> {
  parseRef(options.branch);
  const context = arbor.context({ repo, ...(options.signal ? { signal: options.signal } : {}), ...(options.compose ? { compose: options.compose } : {}) });
  // A key no plugin can use fails before any work, not after the whole tree is hashed.
  if (options.signKey) assertSigner(arbor, options.signKey, `the commit to ${options.branch}`);
  const lock = await repo.lock('shared', { onWait: () => context.logger.info(`Waiting for a prune of ${repo.path} to finish...`) });
  try {
    const scan = scanTree(options.tree, context.signal);
    const request = options.label ?? {};
    const labeler = labelsWanted(arbor, request) ? new TreeLabeler(arbor, path.resolve(options.tree), request, context) : undefined;
    const staging = ObjectStaging.create(repo);
    try {
      // With labels to make, the workers hash each file as soon as it is labeled.
      const jobs = labeler ? new JobFeed<HashJob>(scan.files.length) : scan.files.map((file, index): HashJob => ({ index, path: file.path }));
      const labeling = jobs instanceof JobFeed ? labelTree(labeler!, scan, jobs) : undefined;
      // Its failure also ends the run below; it is rethrown where the directories are awaited.
      labeling?.catch(() => undefined);
      const progress = scan.files.length >= PROGRESS_MIN ? context.progress.start('commit', scan.files.length) : undefined;
      const hasherOptions: FileHasherOptions = {
        repoPath: repo.path,
        repoMode: repo.mode,
        stagingPath: staging.path,
        compressionLevel: Number(repo.config.get('core', 'compression_level')) || undefined,
        worldWritable: repo.worldWritablePolicy,
      };
      const results = await runOnWorkers<HashJob, HashResult>(
        path.join(__dirname, 'hashWorker.js'),
        hasherOptions,
        jobs,
        () => {
          const hasher = new FileHasher(hasherOptions);
          return (job) => hasher.hash(job);
        },
        {
          signal: context.signal,
          onResults: (done) => progress?.tick(done.length, done.reduce((sum, result) => sum + result.bytes, 0)),
        },
      );
      progress?.done();
      const labeledDirs = await labeling;
      warnStrippedWorldWritable(scan, results, context);

      const stage = staging.metadataWriter(new ObjectIndex(repo.path));
      const metaIds = new Map<string, ObjectId>();
      const stageMeta = (meta: DirMeta): ObjectId => {
        const bytes = encodeDirMeta(meta);
        const key = bytes.toString('latin1');
        let id = metaIds.get(key);
        if (!id) metaIds.set(key, (id = stage('dirmeta', bytes)));
        return id;
      };
      const treeIds = new Array<ObjectId>(scan.dirs.length);
      const dirMetaIds = new Array<ObjectId>(scan.dirs.length);
      for (let dirIndex = scan.dirs.length - 1; dirIndex >= 0; dirIndex--) {
        const dir = scan.dirs[dirIndex]!;
        const tree: DirTree = {
          files: dir.files.map((fileIndex) => ({ name: scan.files[fileIndex]!.name, file: results[fileIndex]!.id })),
          dirs: dir.dirs.map((child) => ({ name: scan.dirs[child]!.name, tree: treeIds[child]!, meta: dirMetaIds[child]! })),
        };
        treeIds[dirIndex] = stage('dirtree', encodeDirTree(tree));
        dirMetaIds[dirIndex] = stageMeta(labeledDirs?.[dirIndex] ?? dir.meta);
      }

      // The ref moves only if it still holds this tip (compare-and-swap): a concurrent commit
      // to the branch makes this one fail with ARBOR_STORE_REF_MOVED, never vanish.
      const tip = repo.readRef(options.branch) ?? null;
      const parent = options.parent !== undefined ? options.parent : tip;
      if (parent) repo.readCommit(parent);
      const metadata = await arbor.hooks.commit.promise({ ...(options.metadata ?? {}) }, context);
      const commit: Commit = {
        parent,
        timestamp: options.timestamp ?? (Number(process.env.SOURCE_DATE_EPOCH) || Math.floor(Date.now() / 1000)),
        rootTree: treeIds[0]!,
        rootMeta: dirMetaIds[0]!,
        subject: options.subject ?? '',
        body: options.body ?? '',
        metadata: metadata ?? {},
      };
      const commitId = stage('commit', encodeCommit(commit));
      context.signal.throwIfAborted();
      staging.publish();
      // Sign before the ref moves, so a verifying client never sees an unsigned head.
      if (options.signKey) await signCommit(arbor, repo, commitId, options.signKey, context);
      repo.setRef(options.branch, commitId, { expected: tip });
      return {
        commit: commitId,
        ref: options.branch,
        parent,
        rootTree: commit.rootTree,
        rootMeta: commit.rootMeta,
        stats: {
          files: scan.files.length,
          directories: scan.dirs.length,
          written: results.reduce((count, result) => count + (result.written ? 1 : 0), 0),
          bytesRead: results.reduce((count, result) => count + result.bytes, 0),
        },
      };
    } catch (error) {
      staging.discard();
      throw error;
    }
  } finally {
    lock.release();
  }
}

/** Files labeled between two yields to the event loop, which hands labeled files to the workers. */
const LABEL_CHUNK = 256;

/**
 * Labels every file and symlink of the scan into `jobs`, a chunk at a time so the workers hash
 * the labeled ones meanwhile, then every directory (returned). A failure goes to the feed,
 * which ends the run with it, and is thrown (a directory's comes after every file was handed
 * over); a run that ended stops the labeling.
 */
async function labelTree(labeler: TreeLabeler, scan: TreeScan, jobs: JobFeed<HashJob>): Promise<DirMeta[] | undefined> {
  try {
    for (let start = 0; start < scan.files.length; start += LABEL_CHUNK) {
      const chunk: HashJob[] = [];
      for (let index = start; index < Math.min(start + LABEL_CHUNK, scan.files.length); index++) {
        const file = scan.files[index]!;
        chunk.push({ index, path: file.path, override: await labeler.file(file.relPath, file.path) });
      }
      jobs.push(chunk);
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (jobs.stopped) return undefined;
    }
    const dirs: DirMeta[] = [];
    for (const dir of scan.dirs) dirs.push(await labeler.dir(dir.relPath, dir.meta));
    return dirs;
  } catch (error) {
    jobs.fail(error);
    throw error;
  }
}

/** The strip policy commits world-writable files without o+w; the committer hears which. */
function warnStrippedWorldWritable(scan: TreeScan, results: HashResult[], context: ReturnType<Arbor['context']>): void {
  const stripped = results.filter((result) => result.strippedWorldWritable).map((result) => scan.files[result.index]!.relPath);
  if (stripped.length === 0) return;
  const shown = stripped.slice(0, 5).map(displayPath).join(', ');
  context.logger.warn(`Committed ${stripped.length} world-writable file(s) without o+w: ${shown}${stripped.length > 5 ? ', ...' : ''}`);
}
