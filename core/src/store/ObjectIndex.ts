import fs from 'node:fs';
import path from 'node:path';
import type { ObjectId, ObjectKindName } from './ObjectId';

/**
 * Which objects a repo already has, learned with one readdir per shard directory
 * (`objects/XX`) the first time an ID in that shard is asked about, instead of one stat per
 * object (PERFORMANCE.md: hash first, write only what is missing). Objects added during the
 * current operation are recorded with `add`.
 */
export class ObjectIndex {
  private readonly shards = new Map<string, Set<string>>();

  constructor(private readonly repoPath: string) {}

  private shard(prefix: string): Set<string> {
    let names = this.shards.get(prefix);
    if (!names) {
      try {
        names = new Set(fs.readdirSync(path.join(this.repoPath, 'objects', prefix)));
      } catch {
        names = new Set();
      }
      this.shards.set(prefix, names);
    }
    return names;
  }

  has(id: ObjectId, kind: ObjectKindName): boolean {
    return this.shard(id.slice(0, 2)).has(`${id.slice(2)}.${kind}`);
  }

  add(id: ObjectId, kind: ObjectKindName): void {
    this.shard(id.slice(0, 2)).add(`${id.slice(2)}.${kind}`);
  }

  /** Every object of `kind` present on disk, by reading all 256 shard directories. */
  static list(repoPath: string, kind: ObjectKindName): ObjectId[] {
    const suffix = `.${kind}`;
    const found: ObjectId[] = [];
    let shards: string[];
    try {
      shards = fs.readdirSync(path.join(repoPath, 'objects'));
    } catch {
      return found;
    }
    for (const shard of shards) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      let names: string[];
      try {
        names = fs.readdirSync(path.join(repoPath, 'objects', shard));
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.endsWith(suffix) && name.length === 62 + suffix.length) found.push(shard + name.slice(0, 62));
      }
    }
    return found;
  }
}
