import fs from 'node:fs';
import path from 'node:path';
import { syncFilesystem } from '../fs/syncFilesystem';
import { objectRelPath, type ObjectId, type ObjectKindName } from './ObjectId';
import type { Repo } from './Repo';

/** Publish order: an object only appears in objects/ after everything it references. */
const PUBLISH_ORDER: ObjectKindName[] = ['file', 'filez', 'dirmeta', 'dirtree', 'commit', 'commitsig'];

/**
 * A private directory under `tmp/` where one operation writes its new objects as
 * `<id>.<kind>`. `publish` then makes them durable with one syncfs(2) (PERFORMANCE.md: an fsync
 * per object costs ~2.5 s on a 23k-file tree), renames each into `objects/XX/`, children
 * before parents and the commit last, and flushes again so the renames are durable before any
 * ref moves. A process killed at any point leaves only complete objects in objects/ (rename is
 * atomic) and a staging directory that prune removes.
 */
export class ObjectStaging {
  private constructor(readonly repo: Repo, readonly path: string) {}

  static create(repo: Repo): ObjectStaging {
    const dir = path.join(repo.tmpPath, `staging-${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
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
  const byKind = new Map<string, string[]>();
  for (const name of names) {
    const dot = name.indexOf('.');
    const kind = name.slice(dot + 1);
    let list = byKind.get(kind);
    if (!list) byKind.set(kind, (list = []));
    list.push(name.slice(0, dot));
  }
  for (const kind of PUBLISH_ORDER) {
    for (const id of byKind.get(kind) ?? []) {
      const target = path.join(repo.path, objectRelPath(id, kind));
      repo.ensureShard(path.dirname(target));
      fs.renameSync(path.join(dir, `${id}.${kind}`), target);
    }
  }
}
