import { RPM_TYPE_SIZES, RpmTagType } from '../RpmTag';

/**
 * The header blob an rpmdb stores for one installed package: the package's main header with
 * the entries rpm adds at install time appended after its immutable region.
 *
 * Layout (rpm's headerExport, big-endian, no magic): il u32, dl u32, il index entries of 16
 * bytes {tag, type, offset, count}, dl bytes of data. The package's region (the index entries
 * and data its SHA256HEADER digest and any signature cover) is copied byte for byte, so rpm's
 * header check still passes when it reads the blob back. Added entries ("dribbles") follow in
 * tag order, each index entry after the region's, each datum after the region's data, aligned
 * to its type's size.
 */

/** An entry to append: its data already encoded big-endian, as it goes into the blob. */
export interface AddedEntry {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
}

/** One index entry of a parsed blob, with the bytes its data occupies. */
export interface BlobEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
  data: Buffer;
}

const ENTRY_SIZE = 16;
const PREAMBLE_SIZE = 16;

/**
 * Appends `added` to a package's main header (`headerBytes`: magic, il, dl, index, data, as
 * the package file holds it). The header must be one immutable region whose trailer closes the
 * data, as every rpm >= 4 package's is; `fail` makes the error otherwise.
 */
export function appendToHeader(headerBytes: Buffer, added: readonly AddedEntry[], fail: (message: string) => Error): Buffer {
  const il = headerBytes.readUInt32BE(8);
  const dl = headerBytes.readUInt32BE(12);
  const indexEnd = PREAMBLE_SIZE + il * ENTRY_SIZE;
  const regionTag = headerBytes.readUInt32BE(PREAMBLE_SIZE);
  const trailerOffset = headerBytes.readInt32BE(PREAMBLE_SIZE + 8);
  // rpm's headerImport rebuilds the region from its entries and requires the data to end with
  // the 16-byte trailer; any other shape would not survive the export byte for byte.
  if (regionTag !== 63 || trailerOffset !== dl - ENTRY_SIZE) throw fail('its main header is not one immutable region ending in its trailer (a pre-rpm-4 package)');

  const sorted = [...added].sort((a, b) => a.tag - b.tag);
  const index = Buffer.alloc(sorted.length * ENTRY_SIZE);
  const data: Buffer[] = [];
  let size = dl;
  sorted.forEach((entry, i) => {
    const padding = alignment(entry.type, size);
    if (padding) data.push(Buffer.alloc(padding));
    size += padding;
    index.writeUInt32BE(entry.tag, i * ENTRY_SIZE);
    index.writeUInt32BE(entry.type, i * ENTRY_SIZE + 4);
    index.writeUInt32BE(size, i * ENTRY_SIZE + 8);
    index.writeUInt32BE(entry.count, i * ENTRY_SIZE + 12);
    data.push(entry.data);
    size += entry.data.length;
  });
  const preamble = Buffer.alloc(8);
  preamble.writeUInt32BE(il + sorted.length, 0);
  preamble.writeUInt32BE(size, 4);
  return Buffer.concat([preamble, headerBytes.subarray(PREAMBLE_SIZE, indexEnd), index, headerBytes.subarray(indexEnd), ...data]);
}

/** Padding before a datum of `type` that would start at `offset` (rpm's alignDiff). */
function alignment(type: number, offset: number): number {
  const size = RPM_TYPE_SIZES[type] ?? 1;
  return size > 1 ? (size - (offset % size)) % size : 0;
}

/**
 * Reads the entries of a stored blob (il, dl, index, data), for the tags a db writer needs
 * back (NEVRA of packages already in the db). Every entry is bounds-checked.
 */
export function readHeaderBlob(blob: Buffer, fail: (message: string) => Error): Map<number, BlobEntry> {
  if (blob.length < 8) throw fail('header blob is shorter than its preamble');
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  const storeStart = 8 + il * ENTRY_SIZE;
  if (il > 0xffff || storeStart + dl !== blob.length) throw fail(`header blob of ${blob.length} bytes claims ${il} entries and ${dl} data bytes`);
  const store = blob.subarray(storeStart);
  const entries = new Map<number, BlobEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const tag = blob.readUInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readInt32BE(at + 8);
    const count = blob.readUInt32BE(at + 12);
    if (offset < 0 || offset > dl) throw fail(`header blob entry ${tag} points outside the data`);
    const end = dataEnd(type, count, store, offset);
    if (end < 0) throw fail(`header blob entry ${tag} runs past the data`);
    if (!entries.has(tag)) entries.set(tag, { tag, type, offset, count, data: store.subarray(offset, end) });
  }
  return entries;
}

function dataEnd(type: number, count: number, store: Buffer, offset: number): number {
  const size = RPM_TYPE_SIZES[type];
  if (size !== undefined) return offset + size * count <= store.length ? offset + size * count : -1;
  const strings = type === RpmTagType.STRING ? 1 : count;
  let at = offset;
  for (let i = 0; i < strings; i++) {
    const nul = store.indexOf(0, at);
    if (nul < 0) return -1;
    at = nul + 1;
  }
  return at;
}

/** The first string of a STRING, STRING_ARRAY or I18NSTRING entry. */
export function blobString(entry: BlobEntry | undefined): string | undefined {
  if (!entry || (entry.type !== RpmTagType.STRING && entry.type !== RpmTagType.STRING_ARRAY && entry.type !== RpmTagType.I18NSTRING)) return undefined;
  const nul = entry.data.indexOf(0);
  return entry.data.toString('utf8', 0, nul < 0 ? entry.data.length : nul);
}

/** The first value of an INT32 entry. */
export function blobUint32(entry: BlobEntry | undefined): number | undefined {
  return entry && entry.type === RpmTagType.INT32 && entry.data.length >= 4 ? entry.data.readUInt32BE(0) : undefined;
}

/** Encoders for added entries: data big-endian, as rpm stores it. */
export const encode = {
  uint32(tag: number, values: readonly number[]): AddedEntry {
    const data = Buffer.alloc(values.length * 4);
    values.forEach((value, i) => data.writeUInt32BE(value >>> 0, i * 4));
    return { tag, type: RpmTagType.INT32, count: values.length, data };
  },
  chars(tag: number, values: readonly number[]): AddedEntry {
    return { tag, type: RpmTagType.CHAR, count: values.length, data: Buffer.from(values.map((value) => value & 0xff)) };
  },
  string(tag: number, value: string): AddedEntry {
    return { tag, type: RpmTagType.STRING, count: 1, data: Buffer.from(`${value}\0`) };
  },
  stringArray(tag: number, values: readonly string[]): AddedEntry {
    return { tag, type: RpmTagType.STRING_ARRAY, count: values.length, data: Buffer.from(values.map((value) => `${value}\0`).join('')) };
  },
  /** An entry copied as stored in another header (a signature header's), under a new tag. */
  raw(tag: number, type: number, count: number, data: Buffer): AddedEntry {
    return { tag, type, count, data: Buffer.from(data) };
  },
};
