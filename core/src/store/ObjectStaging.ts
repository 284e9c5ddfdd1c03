import fs from 'node:fs';
import path from 'node:path';
import { FsBatch } from '../fs/FsBatch';
import { spreadSubdirectories } from '../fs/spreadSubdirectories';
import { syncFilesystem } from '../fs/syncFilesystem';
import { blake3 } from './Blake3';
import { bytePathFromOs } from './BytePath';
import type { ObjectIndex } from './ObjectIndex';
import { objectRelPath, type ObjectId, type ObjectKindName } from './ObjectId';
import type { Repo } from './Repo';
import { removeStaleStaging } from './StaleStaging';

/** Publish order: an object only appears in objects/ after everything it references. */
const PUBLISH_ORDER: ObjectKindName[] = ['file', 'filez', 'dirmeta', 'dirtree', 'commit', 'commitsig'];

/**
 * A private directory under `tmp/` where one operation writes its new objects as
 * `<id>.<kind>`. `publish` then makes them durable with one syncfs(2) (docs/performance.md: an fsync
 * per object costs ~2.5 s on a 23k-file tree), renames each into `objects/XX/`, children
 * before parents and the commit last, and flushes again so the renames are durable before any
 * ref moves. A process killed at any point leaves only complete objects in objects/ (rename is
 * atomic) and a staging directory that prune removes.
 */
export class ObjectStaging {
  private constructor(readonly repo: Repo, readonly path: string) {}

  static create(repo: Repo): ObjectStaging {
    const dir = path.join(repo.tmpPath, `staging-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
    spreadSubdirectories(repo.tmpPath);
    // What killed commits left would otherwise pile up in tmp/ until someone prunes.
    removeStaleStaging(repo);
    fs.mkdirSync(dir, { recursive: false, mode: 0o755 });
    return new ObjectStaging(repo, dir);
  }

  stagedPath(id: ObjectId, kind: ObjectKindName): string {
    return path.join(this.path, `${id}.${kind}`);
  }

  /** Stages a dirtree, dirmeta or commit whose ID the caller computed from `bytes`. */
  writeMetadata(id: ObjectId, kind: ObjectKindName, bytes: Buffer): void {
    try {
      fs.writeFileSync(this.stagedPath(id, kind), bytes, { flag: 'wx', mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  /**
   * A writer of metadata objects for one commit: it hashes the bytes, stages the object unless
   * the repo's index has it already, and returns its ID.
   */
  metadataWriter(index: ObjectIndex): (kind: 'dirtree' | 'dirmeta' | 'commit', bytes: Buffer) => ObjectId {
    return (kind, bytes) => {
      const id = blake3(bytes).toString('hex');
      if (!index.has(id, kind)) {
        this.writeMetadata(id, kind, bytes);
        index.add(id, kind);
      }
      return id;
    };
  }

  /** Syncs, moves every staged object into objects/, syncs again; returns how many moved. */
  publish(): number {
    const names = fs.readdirSync(this.path);
    if (names.length === 0) {
      this.discard();
      return 0;
    }
    moveStagedObjects(this.repo, this.path, names);
    fs.rmdirSync(this.path);
    syncFilesystem(this.repo.path);
    return names.length;
  }

  discard(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
  }
}

/**
 * Makes the staged `<id>.<kind>` files in `dir` durable with one syncfs, then renames them into
 * objects/ in PUBLISH_ORDER. Shared by commits and pulls; the caller removes `dir` and syncs
 * the repo once more so the renames are on disk before a ref moves.
 */
export function moveStagedObjects(repo: Repo, dir: string, names: readonly string[]): void {
  syncFilesystem(dir);
  for (const moves of movesByKind(repo, dir, names)) {
    for (const [from, to] of moves) fs.renameSync(from, to);
  }
}

/** Renames in flight at once when publishing asynchronously: the libuv pool's size. */
const RENAME_BATCHES = 4;

/**
 * The same, with each kind's renames spread over libuv pool threads (objects/ has 256 shard
 * directories, so they rarely wait on one another) while the main thread stays free. A failed
 * rename is redone synchronously, which throws its usual error.
 */
export async function moveStagedObjectsAsync(repo: Repo, dir: string, names: readonly string[]): Promise<void> {
  syncFilesystem(dir);
  for (const moves of movesByKind(repo, dir, names)) {
    const batches = Array.from({ length: Math.min(RENAME_BATCHES, moves.length) }, () => ({ batch: new FsBatch(1 << 12), moves: [] as [string, string][] }));
    moves.forEach((move, index) => {
      const lane = batches[index % batches.length]!;
      lane.batch.rename(bytePathFromOs(move[0]), bytePathFromOs(move[1]));
      lane.moves.push(move);
    });
    const failures = await Promise.all(batches.map((lane) => lane.batch.runAsync()));
    failures.forEach((failed, lane) => {
      for (const { index } of failed) fs.renameSync(...batches[lane]!.moves[index]!);
    });
  }
}

/** The staged → objects/ renames, one list per kind, in PUBLISH_ORDER; shard directories made. */
function movesByKind(repo: Repo, dir: string, names: readonly string[]): [string, string][][] {
  const byKind = new Map<string, string[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    const kind = name.slice(dot + 1);
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = []));
    list.push(name.slice(0, dot));
  }
  return PUBLISH_ORDER.map((kind) => (byKind.get(kind) ?? []).map((id): [string, string] => {
    const target = path.join(repo.path, objectRelPath(id, kind));
    repo.ensureShard(path.dirname(target));
    return [path.join(dir, `${id}.${kind}`), target];
  }));
}
