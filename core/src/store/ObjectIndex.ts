import fs from 'node:fs';
import path from 'node:path';
import { native } from '../fs/native';
import { ALL_KINDS, type ObjectId, type ObjectKindName } from './ObjectId';

/** Kinds by number, as the native set records them (a bit each). */
const KIND_NUMBERS = new Map<string, number>(ALL_KINDS.map((kind, index) => [kind, index]));
const HEX = '0123456789abcdef';

/**
 * Which objects a repo already has, learned with one readdir per shard directory
 * (`objects/XX`) instead of one stat per object (docs/performance.md: hash first, write only what is
 * missing). Objects added during the current operation are recorded with `add`.
 *
 * The set itself is native (core/native/object_index.c): `prefetch` reads all the listings on
 * a libuv pool thread, off the main thread, and a commit's whole size index is checked against
 * it in one call (`missingRecords`). A shard asked about before then is read on the spot.
 */
export class ObjectIndex {
  private readonly addon = native();
  private readonly set = this.addon.objectIndexCreate([...ALL_KINDS]);
  private readonly loaded = new Uint8Array(256);
  /** Every shard is read: the whole-set questions need not look at `loaded` again. */
  private complete = false;
  private readonly objectsDir: string;

  constructor(repoPath: string) {
    this.objectsDir = path.join(repoPath, 'objects');
  }

  /**
   * Reads every shard directory on the pool (~5 ms on a 23k-object repo), to overlap it with
   * other work. `has` does not wait for it: until it is done, a shard is read on demand.
   */
  async prefetch(): Promise<void> {
    const shards = Uint8Array.from({ length: 256 }, (_, shard) => shard).filter((shard) => !this.loaded[shard]);
    await this.addon.objectIndexLoad(this.set, this.objectsDir, shards);
    for (const shard of shards) this.loaded[shard] = 1;
    this.complete = true;
  }

  has(id: ObjectId, kind: ObjectKindName): boolean {
    this.ensureShard(id);
    return this.addon.objectIndexHas(this.set, id, KIND_NUMBERS.get(kind)!);
  }

  add(id: ObjectId, kind: ObjectKindName): void {
    this.ensureShard(id);
    this.addon.objectIndexAdd(this.set, id, KIND_NUMBERS.get(kind)!);
  }

  /**
   * The numbers of the records in `records` (an ID, then a kind byte, every `stride` bytes from
   * `offset`) that the repo lacks, each looked up as `kindMap[its kind byte]` (255: skipped).
   */
  missingRecords(records: Buffer, offset: number, count: number, stride: number, kindMap: Uint8Array): Uint32Array {
    this.ensureAllShards();
    return this.addon.objectIndexMissing(this.set, records, offset, count, stride, kindMap);
  }

  /**
   * What a dirtree names that the repo lacks, checked in one native pass: the file objects
   * (as `fileKind`), and the subdirectories whose dirtree or dirmeta is missing. Undefined when
   * the dirtree is malformed or names something unsafe; decodeDirTree then gives the reason.
   */
  scanDirTree(bytes: Buffer, fileKind: 'file' | 'filez'): { files: ObjectId[]; dirs: { tree: ObjectId; meta: ObjectId }[] } | undefined {
    this.ensureAllShards();
    const scan = this.addon.objectIndexScanDirTree(this.set, bytes, KIND_NUMBERS.get(fileKind)!, KIND_NUMBERS.get('dirtree')!, KIND_NUMBERS.get('dirmeta')!);
    if (!scan) return undefined;
    const dirs: { tree: ObjectId; meta: ObjectId }[] = [];
    for (let index = 0; index < scan.dirs.length; index += 2) dirs.push({ tree: scan.dirs[index]!, meta: scan.dirs[index + 1]! });
    return { files: scan.files, dirs };
  }

  private ensureAllShards(): void {
    if (this.complete) return;
    for (let shard = 0; shard < 256; shard++) if (!this.loaded[shard]) this.loadShard(shard);
    this.complete = true;
  }

  private ensureShard(id: ObjectId): void {
    const shard = (HEX.indexOf(id[0]!) << 4) | HEX.indexOf(id[1]!);
    if (shard >= 0 && !this.loaded[shard]) this.loadShard(shard);
  }

  private loadShard(shard: number): void {
    this.loaded[shard] = 1;
    this.addon.objectIndexLoadSync(this.set, this.objectsDir, shard);
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
