import { CanonicalReader } from '../store/CanonicalReader';
import { CanonicalWriter } from '../store/CanonicalWriter';
import { ALL_KINDS, type ObjectId, type ObjectKindName } from '../store/ObjectId';
import type { ObjectIndex } from '../store/ObjectIndex';

/**
 * A commit's size index: every object its tree needs, with the bytes each takes on the wire
 * (its archive-mode file). With it a client knows, before downloading anything, what it lacks
 * and how big that is, and can cut off any body longer than the object it asked for. It plays
 * the part of ostree's `ostree.sizes` commit metadata, but lives beside the commit
 * (`sizes/XX/REST`, keyed by commit ID) so commits stay small; the signed summary carries its
 * BLAKE3.
 *
 *   "arbz" u8(2) u32 count, then count fixed records sorted by ID, then kind code:
 *     [32] id  u8 kind (index in ALL_KINDS: file filez dirtree dirmeta commit commitsig)  u64 wireSize
 *
 * Fixed-size sorted records are looked up by binary search in place: a 23k-object index is
 * read without building 23k strings and map entries, which matters for a small update.
 */
export interface SizeEntry {
  id: ObjectId;
  kind: ObjectKindName;
  size: number;
}

export const SIZE_INDEX_MAGIC = 'arbz';
export const SIZE_INDEX_VERSION = 2;
const HEADER = 9;
const RECORD = 41;

export function sizeIndexPath(commit: ObjectId): string {
  return `sizes/${commit.slice(0, 2)}/${commit.slice(2)}`;
}

export function encodeSizeIndex(entries: SizeEntry[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : ALL_KINDS.indexOf(a.kind) - ALL_KINDS.indexOf(b.kind)));
  const writer = new CanonicalWriter(HEADER + sorted.length * RECORD);
  writer.latin1(SIZE_INDEX_MAGIC).u8(SIZE_INDEX_VERSION).u32(sorted.length);
  for (const entry of sorted) writer.raw(Buffer.from(entry.id, 'hex')).u8(ALL_KINDS.indexOf(entry.kind)).u64(entry.size);
  return writer.finish();
}

/** True when `bytes` is an index this version of Arbor reads (older ones are rewritten). */
export function isCurrentSizeIndex(bytes: Buffer): boolean {
  return bytes.length >= HEADER && bytes.toString('latin1', 0, 4) === SIZE_INDEX_MAGIC && bytes[4] === SIZE_INDEX_VERSION;
}

export class SizeIndex {
  readonly count: number;
  /** Sizes of the entries `missingFrom` returned: the pull asks for each again as it fetches it. */
  private readonly remembered = new Map<string, number>();

  constructor(private readonly bytes: Buffer, what: string) {
    const reader = new CanonicalReader(bytes, what);
    reader.magic(SIZE_INDEX_MAGIC, SIZE_INDEX_VERSION);
    this.count = reader.u32();
    if (this.count * RECORD !== reader.remaining) reader.fail(`${this.count} entries do not fill ${reader.remaining} bytes`);
  }

  /** The wire size of one object, or undefined when the index does not list it. */
  get(id: ObjectId, kind: ObjectKindName): number | undefined {
    const remembered = this.remembered.get(`${id}.${kind}`);
    if (remembered !== undefined) return remembered;
    const key = Buffer.concat([Buffer.from(id, 'hex'), Buffer.of(ALL_KINDS.indexOf(kind))]);
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const offset = HEADER + middle * RECORD;
      const order = this.bytes.compare(key, 0, 33, offset, offset + 33);
      if (order === 0) return this.sizeAt(offset);
      if (order > 0) high = middle - 1;
      else low = middle + 1;
    }
    return undefined;
  }

  *entries(): Generator<SizeEntry> {
    for (let index = 0; index < this.count; index++) {
      const entry = this.entryAt(index);
      if (entry) yield entry;
    }
  }

  /**
   * The entries `index` lacks, each looked up as the kind `localKind` maps its kind to (a bare
   * repo keeps `filez` as `file`), or skipped where it maps to undefined. One native pass over
   * the records: no string is made for an object the repo has.
   */
  missingFrom(index: ObjectIndex, localKind: (kind: ObjectKindName) => ObjectKindName | undefined): SizeEntry[] {
    const kindMap = Uint8Array.from(ALL_KINDS, (kind) => {
      const local = localKind(kind);
      return local === undefined ? 255 : ALL_KINDS.indexOf(local);
    });
    const missing: SizeEntry[] = [];
    for (const record of index.missingRecords(this.bytes, HEADER, this.count, RECORD, kindMap)) {
      const entry = this.entryAt(record);
      if (!entry) continue;
      missing.push(entry);
      this.remembered.set(`${entry.id}.${entry.kind}`, entry.size);
    }
    return missing;
  }

  private entryAt(index: number): SizeEntry | undefined {
    const offset = HEADER + index * RECORD;
    const kind = ALL_KINDS[this.bytes[offset + 32]!];
    return kind ? { id: this.bytes.toString('hex', offset, offset + 32), kind, size: this.sizeAt(offset) } : undefined;
  }

  private sizeAt(offset: number): number {
    return this.bytes.readUInt32BE(offset + 33) * 0x100000000 + this.bytes.readUInt32BE(offset + 37);
  }
}
