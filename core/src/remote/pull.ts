import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import type { Transport } from '../hooks';
import { ObjectIndex } from '../store/ObjectIndex';
import type { ObjectId, ObjectKindName } from '../store/ObjectId';
import { parseRef } from '../store/RefName';
import type { Repo } from '../store/Repo';
import { checkDowngrade } from './checkDowngrade';
import { FileDownload } from './FileDownload';
import { FileObjectFetcher } from './FileObjectFetcher';
import { FileObjectWorkers } from './FileObjectWorkers';
import { formatBytes } from '../formatBytes';
import { MetadataPrefetch, type MetadataKind } from './MetadataPrefetch';
import { PullStaging } from './PullStaging';
import { readRemote, type Remote } from './RemoteConfig';
import { RemoteRepo, type FetchedCommit } from './RemoteRepo';
import { sizeIndexPath, type SizeIndex } from './SizeIndex';
import { stagingError } from './stagingError';
import { TempBudget } from './TempBudget';
import { TreeWalker } from './TreeWalker';

export interface PullOptions {
  arbor: Arbor;
  /** The caller's hook context (logger, progress, signal); a fresh one by default. */
  context?: HookContext;
  /** Parent commits to fetch as well, with their trees; -1 for all of history. */
  depth?: number;
  /** Write `refs/heads/REF` and keep the remote's summary and size index: a repo to serve again. */
  mirror?: boolean;
  allowDowngrade?: boolean;
  /** The most content one file object may claim (default 64 GiB): a larger claim fails at once. */
  maxObjectBytes?: number;
  /** The most bytes the pull may stage (default: the free space of the repo's filesystem). */
  maxTempBytes?: number;
  /** Read from this remote through this transport, not from remotes.d (pull-local: a local repo of any mode). */
  source?: { remote: Remote; transport: Transport };
  /** The local ref to move instead of `REMOTE:REF` (pull-local moves the source's branch name). */
  localRef?: string;
}

export interface PullResult {
  remote: string;
  /** The local ref moved (`origin:os/main`, or `os/main` with --mirror); null for a commit ID. */
  ref: string | null;
  commit: ObjectId;
  previous: ObjectId | null;
  changed: boolean;
  commits: number;
  /** What this run fetched, and what it expected to before the file download began. */
  fetched: { objects: number; bytes: number; requests: number };
  /** What pull expected to fetch before it began (null when the remote has no size index). */
  estimate: { objects: number | null; bytes: number | null };
}

/** File objects fetched (and checked) at once; the transport bounds the requests itself. */
const FILE_WINDOW = 32;
/**
 * Workers for decompress + hash + write. More than the 2 cores: creating a file costs ~1–2 ms
 * on this machine's disk and is latency-bound, so 4 threads create files ~1.8x faster than 1
 * (measured), while the CPU work per object is small.
 */
const WORKER_THREADS = Math.min(4, Math.max(2, os.availableParallelism() * 2));
/**
 * Below this many file objects, starting worker threads costs more than it saves: each loads
 * the store's modules (~60 ms of CPU). An update of 205 files used ~150 ms less CPU inline.
 */
const INLINE_BELOW = 512;

/**
 * `arbor pull`: summary (or ref) → commit → verify → the tree, walked by dirtree, and only
 * the objects the repo lacks, fetched in parallel and checked against their IDs as they land
 * in a staging directory. The ref moves only once every object of the commit (and of the
 * history asked for) is in objects/. Re-running an interrupted pull resumes from the staging
 * directory without fetching again what it holds.
 *
 * `ref` is a branch on the remote, or a full commit ID (then no ref moves). The signature is
 * the seam upgrade loads (sysroot/pullOrigin.ts).
 */
export async function pull(repo: Repo, remoteName: string, ref: string, options: PullOptions): Promise<PullResult> {
  const { arbor } = options;
  if (options.mirror && repo.mode !== 'archive') {
    throw new ArborError(ErrorCode.PULL_MIRROR_MODE, `--mirror needs an archive repo; ${repo.path} is ${repo.mode}`, {
      hint: 'A mirror serves objects as they are: arbor init --mode archive --repo NEW',
    });
  }
  const remote = options.source?.remote ?? readRemote(repo.path, remoteName);
  const isCommitId = /^[0-9a-f]{64}$/.test(ref);
  const localRef = isCommitId ? null : options.localRef ?? (options.mirror ? ref : `${remote.name}:${ref}`);
  if (localRef) parseRef(localRef);
  const context = options.context ? { ...options.context, repo } : arbor.context({ repo });
  // Every request in flight listens for abort on this one signal.
  setMaxListeners(0, context.signal);
  // Shared, like commit: other writers run alongside; prune waits, so it never deletes what we stage.
  const lock = await repo.lock('shared', { onWait: () => context.logger.info(`Waiting for a prune of ${repo.path} to finish...`) });
  let transport: Transport | undefined;
  try {
    // What the repo holds, read on the pool while the transport loads and the commit arrives.
    const index = new ObjectIndex(repo.path);
    const indexed = index.prefetch();
    transport = options.source?.transport ?? await openTransport(arbor, remote, context);
    if (remote.noVerify && !options.source) {
      context.logger.warn(`remote ${remote.name} was added with --no-verify: its content is accepted without a signature check`);
    }
    const source = new RemoteRepo(remote, transport, arbor, context);
    const target = await source.resolve(ref);
    const previous = localRef ? repo.readRef(localRef) ?? null : null;
    // The size index gives the download size up front and an exact limit for every body, so a
    // server cannot send more than an object is; it costs ~41 bytes per object of the tree.
    const [sizes, tip] = await Promise.all([
      target.sizes ? source.sizeIndex(target.commit, target.sizes) : undefined,
      source.commit(target.commit),
    ]);
    if (previous && previous !== tip.id) checkDowngrade(repo, previous, tip, { remote: remote.name, ref: localRef!, allow: options.allowDowngrade });
    const commits = [tip, ...(await history(repo, source, tip, options.depth ?? 0))];
    PullStaging.removeAbandoned(repo);
    const staging = PullStaging.open(repo, tip.id);
    const resumed = staging.count;
    await indexed;
    const counted = sizes && commits.length === 1 ? estimateFromIndex(sizes, index, staging, repo.fileKind) : undefined;
    const estimate = { objects: counted?.objects ?? null, bytes: counted?.bytes ?? null };
    const budget = new TempBudget(options.maxTempBytes ?? TempBudget.freeSpace(repo.tmpPath), staging.dir, source.source);
    // Wire sizes: what an archive repo stages; a bare repo's content may be larger, counted as it lands.
    if (counted) budget.check(counted.bytes);
    if (counted?.objects !== 0) {
      context.logger.info(`Fetching ${counted ? `${counted.objects} objects (${formatBytes(counted.bytes)})` : 'objects'} from ${remote.name}` +
        (resumed > 0 ? `; ${resumed} objects already staged by an earlier attempt` : ''));
    }
    const threads = counted && counted.files < INLINE_BELOW ? 0 : WORKER_THREADS;
    const workers = new FileObjectWorkers(threads);
    const fetcher = new FileObjectFetcher({ transport, workers, staging, repoMode: repo.mode, source: source.source, sizes, signal: context.signal, maxObjectBytes: options.maxObjectBytes, budget });
    const progress = context.progress.start('Receiving', counted?.files ?? 0);
    const download = new FileDownload(fetcher, progress, FILE_WINDOW, counted !== undefined);
    // With the list of what is missing, everything is asked for at once; the walk then checks it.
    const prefetch = counted ? new MetadataPrefetch(source) : undefined;
    const walker = new TreeWalker(repo, staging, source, sizes, (id) => download.add(id), index, prefetch);
    for (const entry of counted?.missing ?? []) {
      if (entry.kind === 'filez') {
        walker.expectFile(entry.id);
        download.add(entry.id);
      } else {
        prefetch!.add(entry.id, entry.kind, entry.size);
      }
    }
    try {
      for (const commit of commits) {
        if (!repo.hasObject(commit.id, 'commit')) await walker.walk(commit.commit.rootTree, commit.commit.rootMeta);
      }
      await download.finish();
      await staging.flush();
    } catch (error) {
      await download.abort();
      // Staged writes still under way finish before the error leaves, so nothing writes after.
      await staging.flush().catch(() => undefined);
      throw error;
    } finally {
      progress.done();
      await workers.close();
    }
    for (const commit of commits) {
      staging.write(commit.id, 'commit', commit.bytes);
      if (commit.signatureBytes) staging.write(commit.id, 'commitsig', commit.signatureBytes);
    }
    await staging.publish();
    if (options.mirror) writeMirrorFiles(repo, tip.id, source, sizes);
    if (localRef && previous !== tip.id) repo.setRef(localRef, tip.id, { expected: previous });
    return {
      remote: remote.name,
      ref: localRef,
      commit: tip.id,
      previous,
      changed: previous !== tip.id,
      commits: commits.length,
      fetched: {
        objects: walker.fetched.objects + download.count + commits.length,
        bytes: walker.fetched.bytes + download.bytes,
        requests: transport.stats.requests,
      },
      estimate,
    };
  } catch (error) {
    throw stagingError(error, `Pull of ${ref} from remote ${remote.name} into ${repo.path}`);
  } finally {
    lock.release();
    await transport?.close();
  }
}

async function openTransport(arbor: Arbor, remote: Remote, context: HookContext): Promise<Transport> {
  const scheme = new URL(remote.url).protocol.replace(/:$/, '');
  const transport = await arbor.hooks.fetch.for(scheme).promise({ url: remote.url, remote: remote.name }, context);
  if (!transport) {
    throw new ArborError(ErrorCode.HOOK_UNHANDLED, `No transport for ${scheme}:// (remote ${remote.name})`, {
      hint: scheme === 'file' ? 'Add the "file" plugin to the config' : 'Add the "http" plugin to the config',
    });
  }
  return transport;
}

/** Parents of `tip`, up to `depth` of them (-1: all), stopping at one the repo already has. */
async function history(repo: Repo, source: RemoteRepo, tip: FetchedCommit, depth: number): Promise<FetchedCommit[]> {
  const commits: FetchedCommit[] = [];
  let parent = tip.commit.parent;
  while (parent && (depth < 0 || commits.length < depth) && !repo.hasObject(parent, 'commit')) {
    const commit = await source.commit(parent);
    commits.push(commit);
    parent = commit.commit.parent;
  }
  return commits;
}

interface MissingEntry {
  id: ObjectId;
  kind: MetadataKind | 'filez';
  size: number;
}

/**
 * What the repo lacks of the commit, from the size index alone: every object it lists that is
 * neither in objects/ nor staged. Exact, since a pull fetches precisely those. Metadata comes
 * first in `missing`, so it is asked for before the files.
 */
function estimateFromIndex(sizes: SizeIndex, index: ObjectIndex, staging: PullStaging, fileKind: 'file' | 'filez'): { objects: number; bytes: number; files: number; missing: MissingEntry[] } {
  let objects = 0;
  let bytes = 0;
  const metadata: MissingEntry[] = [];
  const files: MissingEntry[] = [];
  const localKind = (kind: ObjectKindName) => (kind === 'commit' || kind === 'commitsig' ? undefined : kind === 'filez' ? fileKind : kind);
  for (const entry of sizes.missingFrom(index, localKind)) {
    if (staging.has(entry.id, localKind(entry.kind)!)) continue;
    objects++;
    bytes += entry.size;
    if (entry.kind === 'filez') files.push(entry as MissingEntry);
    else if (entry.kind === 'dirtree' || entry.kind === 'dirmeta') metadata.push(entry as MissingEntry);
  }
  return { objects, bytes, files: files.length, missing: [...metadata, ...files] };
}

/** A mirror serves what it pulled as the origin did: the signed summary and the size index too. */
function writeMirrorFiles(repo: Repo, commit: ObjectId, source: RemoteRepo, sizes: SizeIndex | undefined): void {
  const files: [string, Buffer | undefined][] = [
    ['summary', source.summaryBytes],
    ['summary.sig', source.summarySignatureBytes],
    [sizeIndexPath(commit), sizes ? source.sizeIndexBytes : undefined],
  ];
  for (const [relative, bytes] of files) {
    if (!bytes) continue;
    const target = path.join(repo.path, relative);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temp = path.join(repo.tmpPath, `mirror-${process.pid}-${path.basename(relative)}`);
    fs.writeFileSync(temp, bytes);
    fs.renameSync(temp, target);
  }
}
