import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError, isArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isObjectId, type ObjectId } from './ObjectId';
import type { Repo } from './Repo';

export interface PruneOptions {
  /** Keep this many ancestors of each ref's commit (0: only the commit itself). Default: all. */
  depth?: number;
  /** Also keep ancestors younger than this: seconds, or a duration such as `30d`, `12h`. */
  keepYoungerThan?: number | string;
  /** Count what would go without deleting anything. */
  dryRun?: boolean;
  /** Now, in seconds since the epoch (tests pin it). */
  now?: number;
  signal?: AbortSignal;
}

export interface PruneResult {
  /** Objects deleted: 0 in a dry run, which deletes nothing. */
  deleted: number;
  /** Bytes of the objects actually deleted (counted after each unlink succeeded). */
  freedBytes: number;
  dryRun: boolean;
  /** Dry run only: what a real prune would delete. */
  wouldDelete?: number;
  wouldFreeBytes?: number;
  /** Commits that remain reachable after the prune. */
  keptCommits: number;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** `90`, `90s`, `15m`, `12h`, `30d`, `2w`, `1y`, or combined `1d12h` → seconds. */
export function parseDuration(text: string | number): number {
  if (typeof text === 'number') return text;
  const trimmed = text.trim().replace(/\s+/g, '');
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  let total = 0;
  let matched = '';
  for (const match of trimmed.matchAll(/(\d+)([smhdwy])/g)) {
    total += Number(match[1]) * UNITS[match[2]!]!;
    matched += match[0];
  }
  if (matched.length === 0 || matched !== trimmed) {
    throw new ArborError(ErrorCode.USAGE, `Cannot read the duration "${text}"`, { hint: 'Use e.g. 30d, 12h, 15m or 1d12h', exitCode: 2 });
  }
  return total;
}

/**
 * Deletes every object no kept commit reaches. Kept commits are, for each ref, its commit and
 * `depth` ancestors (all when depth is not given), plus ancestors younger than
 * `keepYoungerThan`. Takes the repo lock exclusive, so no commit, pull or checkout runs
 * meanwhile, and removes staging directories that killed commits left in tmp/. Deleting is
 * safe to interrupt: only unreachable objects go.
 */
export async function prune(arbor: Arbor, repo: Repo, options: PruneOptions = {}): Promise<PruneResult> {
  const context = arbor.context({ repo, ...(options.signal ? { signal: options.signal } : {}) });
  if (options.depth !== undefined && (!Number.isInteger(options.depth) || options.depth < 0)) {
    throw new ArborError(ErrorCode.USAGE, `--depth must be a whole number >= 0, got ${options.depth}`, { exitCode: 2 });
  }
  const youngerThan = options.keepYoungerThan !== undefined ? parseDuration(options.keepYoungerThan) : undefined;
  const depth = options.depth ?? (youngerThan !== undefined ? 0 : Infinity);
  const cutoff = youngerThan !== undefined ? (options.now ?? Date.now() / 1000) - youngerThan : Infinity;
  const lock = await repo.lock('exclusive', { onWait: () => context.logger.info(`Waiting for commits and checkouts in ${repo.path} to finish...`) });
  try {
    const keep = new Set<string>();
    let keptCommits = 0;
    for (const tip of new Set(Object.values(repo.listRefs()))) {
      let id: ObjectId | null = tip;
      for (let generation = 0; id; generation++) {
        const commit = readCommitIfPresent(repo, id, id === tip);
        if (!commit) break;
        if (generation > depth && commit.timestamp < cutoff) break;
        if (!keep.has(`${id}.commit`)) {
          keptCommits++;
          keep.add(`${id}.commit`).add(`${id}.commitsig`);
          markTree(repo, commit.rootTree, commit.rootMeta, keep);
        }
        id = commit.parent;
      }
      context.signal.throwIfAborted();
    }
    let deleted = 0;
    let freedBytes = 0;
    const failures: Array<{ file: string; code: string }> = [];
    const objects = path.join(repo.path, 'objects');
    for (const shard of readdirOrFail(objects)) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      const shardDir = path.join(objects, shard);
      for (const name of readdirOrFail(shardDir)) {
        const dot = name.indexOf('.');
        const id = shard + name.slice(0, dot);
        if (dot < 0 || !isObjectId(id) || keep.has(`${id}${name.slice(dot)}`)) {
          // What is not an object is a temp file a killed writer left (Repo.writeObjectFile).
          if (!name.startsWith('.') || options.dryRun) continue;
        }
        const file = path.join(shardDir, name);
        try {
          const size = fs.lstatSync(file).size;
          if (!options.dryRun) fs.unlinkSync(file);
          freedBytes += size;
          deleted++;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? 'error';
          if (code !== 'ENOENT') failures.push({ file, code }); // ENOENT: already gone
        }
      }
    }
    if (!options.dryRun) {
      // No writer holds the lock now, so whatever is in tmp/ was left by a killed process.
      for (const name of readdirOrFail(repo.tmpPath)) {
        try {
          fs.rmSync(path.join(repo.tmpPath, name), { recursive: true, force: true });
        } catch (error) {
          failures.push({ file: path.join(repo.tmpPath, name), code: (error as NodeJS.ErrnoException).code ?? 'error' });
        }
      }
    }
    if (failures.length > 0) throw pruneFailed(repo, failures, deleted, freedBytes);
    return options.dryRun
      ? { deleted: 0, freedBytes: 0, dryRun: true, wouldDelete: deleted, wouldFreeBytes: freedBytes, keptCommits }
      : { deleted, freedBytes, dryRun: false, keptCommits };
  } finally {
    lock.release();
  }
}

function readCommitIfPresent(repo: Repo, id: ObjectId, required: boolean) {
  try {
    return repo.readCommit(id);
  } catch (error) {
    // A missing ancestor is history an earlier prune cut; a missing or corrupt tip is damage
    // that prune must not paper over by deleting what it reaches.
    if (!required && isArborError(error) && error.code === ErrorCode.STORE_OBJECT_MISSING) return undefined;
    throw error;
  }
}

function markTree(repo: Repo, rootTree: ObjectId, rootMeta: ObjectId, keep: Set<string>): void {
  const fileKind = repo.fileKind;
  const stack: Array<[ObjectId, ObjectId]> = [[rootTree, rootMeta]];
  while (stack.length > 0) {
    const [tree, meta] = stack.pop()!;
    keep.add(`${meta}.dirmeta`);
    if (keep.has(`${tree}.dirtree`)) continue;
    keep.add(`${tree}.dirtree`);
    const listing = repo.readDirTree(tree);
    for (const file of listing.files) keep.add(`${file.file}.${fileKind}`);
    for (const dir of listing.dirs) stack.push([dir.tree, dir.meta]);
  }
}

/** A directory's names; [] only when it is not there. An unreadable one is an error, never "nothing to prune". */
function readdirOrFail(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return [];
    throw new ArborError(ErrorCode.STORE_UNREADABLE, `Cannot prune ${dir}: ${code ?? error}`, {
      hint: code === 'EACCES' || code === 'EPERM' ? 'Prune as the repo\'s owner (root for a system repo)' : undefined,
      cause: error,
    });
  }
}

function pruneFailed(repo: Repo, failures: Array<{ file: string; code: string }>, deleted: number, freedBytes: number): ArborError {
  const first = failures[0]!;
  const denied = failures.some((failure) => failure.code === 'EACCES' || failure.code === 'EPERM' || failure.code === 'EROFS');
  return new ArborError(ErrorCode.STORE_PRUNE_INCOMPLETE, `Prune of ${repo.path} could not delete ${failures.length} unreachable object(s) or temp file(s), e.g. ${first.file} (${first.code}); it deleted ${deleted} (${freedBytes} bytes)`, {
    hint: denied ? 'Prune as the repo\'s owner (root for a system repo), on a writable mount' : 'Fix the cause and prune again; only unreachable objects are deleted',
  });
}
