import fs from 'node:fs';
import path from 'node:path';
import { ALL_KINDS, type ObjectId, type ObjectKindName } from './ObjectId';

/** A bit per object kind, for the kinds one ID is present as. */
const KIND_BITS = new Map<string, number>(ALL_KINDS.map((kind, index) => [kind, 1 << index]));
const HEX = '0123456789abcdef';

/**
 * Which objects a repo already has, learned with one readdir per shard directory
 * (`objects/XX`) the first time an ID in that shard is asked about, instead of one stat per
 * object (PERFORMANCE.md: hash first, write only what is missing). Objects added during the
 * current operation are recorded with `add`.
 *
 * Entries are keyed by the whole ID, as callers hold it, with the kinds present as bits: a
 * lookup builds no string, and an ID string asked about again (the pull's estimate, then its
 * walk) reuses the hash V8 cached on it.
 */
export class ObjectIndex {
  private readonly kinds = new Map<string, number>();
  private readonly loaded = new Uint8Array(256);

  constructor(private readonly repoPath: string) {}

  /**
   * Reads every shard directory on the libuv pool, to overlap the reads (~30 ms on a 23k-object
   * repo) with other work; `has` never waits for it, and reads a shard itself if asked first.
   */
  prefetch(): Promise<void> {
    const objects = path.join(this.repoPath, 'objects');
    return new Promise((resolve) => {
      let pending = 256;
      for (let shard = 0; shard < 256; shard++) {
        fs.readdir(path.join(objects, HEX[shard >> 4]! + HEX[shard & 15]!), (error, names) => {
          // A shard `has` already read synchronously is not listed twice.
          if (!error && !this.loaded[shard]) this.load(shard, names);
          this.loaded[shard] = 1;
          if (--pending === 0) resolve();
        });
      }
    });
  }

  has(id: ObjectId, kind: ObjectKindName): boolean {
    this.ensureShard(id);
    return ((this.kinds.get(id) ?? 0) & KIND_BITS.get(kind)!) !== 0;
  }

  add(id: ObjectId, kind: ObjectKindName): void {
    this.ensureShard(id);
    this.kinds.set(id, (this.kinds.get(id) ?? 0) | KIND_BITS.get(kind)!);
  }

  private ensureShard(id: ObjectId): void {
    const shard = (HEX.indexOf(id[0]!) << 4) | HEX.indexOf(id[1]!);
    if (shard < 0 || this.loaded[shard]) return;
    this.loaded[shard] = 1;
    try {
      this.load(shard, fs.readdirSync(path.join(this.repoPath, 'objects', id.slice(0, 2))));
    } catch {
      // No shard directory yet: nothing of it is stored.
    }
  }

  /** Records the objects of one shard's listing (`<62 hex>.<kind>`); temp files are skipped. */
  private load(shard: number, names: string[]): void {
    const prefix = HEX[shard >> 4]! + HEX[shard & 15]!;
    for (const name of names) {
      const bit = name.charCodeAt(62) === 0x2e ? KIND_BITS.get(name.slice(63)) : undefined;
      if (bit === undefined) continue;
      const id = prefix + name.slice(0, 62);
      this.kinds.set(id, (this.kinds.get(id) ?? 0) | bit);
    }
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
