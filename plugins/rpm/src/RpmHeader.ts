import { RegionTag, RPM_TYPE_SIZES, RpmTagType } from './RpmTag';

/**
 * One RPM header structure: the signature header and the main header are both written this way.
 *
 * On disk (big-endian): magic 8E AD E8 01, 4 reserved bytes, il (index entry count) u32,
 * dl (data store size) u32, then il index entries of 16 bytes {tag, type, offset, count},
 * then dl bytes of data. `offset` is relative to the data store. A region tag (62 or 63) may
 * come first: its data is a 16-byte trailer entry whose negated offset is the region's index
 * size, so a reader can tell which entries a digest or signature covers.
 *
 * Every entry is checked against the store's bounds when the header is parsed (as rpm's
 * hdrblobVerifyInfo does), so the getters below can never read outside the header.
 */
export interface RpmHeaderEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
  /** Bytes the entry's data occupies in the store. */
  length: number;
}

export const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
/** Magic + reserved + il + dl. */
export const HEADER_PREAMBLE_SIZE = 16;
const ENTRY_SIZE = 16;

/** Size limits rpm enforces (header.cc: HEADER_TAGS_MAX, HEADER_DATA_MAX, signature limits). */
export const HeaderLimits = {
  main: { entries: 0xffff, data: 0x0fffffff },
  signature: { entries: 32, data: 64 * 1024 * 1024 },
  /** A header as an rpmdb stores it: the package's region, then the tags rpm added at install. */
  installed: { entries: 0xffff, data: 0x0fffffff },
} as const;

export type HeaderKind = keyof typeof HeaderLimits;

/**
 * The most values one array entry may hold. rpm bounds counts only by the data size (256 MiB),
 * which lets 1.3 MB of header claim 128M empty strings: more JavaScript values than a heap holds.
 * A million is ~4x the file count of the largest distribution packages (texlive collections).
 */
export const ARRAY_COUNT_MAX = 1 << 20;


/** Reads il and dl from the 16-byte preamble, checking the magic and rpm's limits. */
export function parseHeaderPreamble(preamble: Buffer, kind: HeaderKind, fail: (message: string) => Error): { entries: number; dataLength: number } {
  if (!preamble.subarray(0, 4).equals(HEADER_MAGIC.subarray(0, 4))) throw fail(`${kind} header magic is wrong`);
  const entries = preamble.readUInt32BE(8);
  const dataLength = preamble.readUInt32BE(12);
  const limits = HeaderLimits[kind];
  if (entries < 1 || entries > limits.entries) throw fail(`${kind} header has ${entries} index entries (1 to ${limits.entries} allowed)`);
  if (dataLength > limits.data) throw fail(`${kind} header claims ${dataLength} bytes of data (at most ${limits.data} allowed)`);
  return { entries, dataLength };
}

/**
 * Checks the index entries' counts alone, before the data store is read: a header whose store
 * is 128 MiB of one absurd array fails here without reading it.
 */
export function checkIndexCounts(index: Buffer, kind: HeaderKind, fail: (message: string) => Error): void {
  for (let at = 0; at + ENTRY_SIZE <= index.length; at += ENTRY_SIZE) {
    const entry = { tag: index.readUInt32BE(at), type: index.readUInt32BE(at + 4), offset: index.readInt32BE(at + 8), count: index.readUInt32BE(at + 12), length: 0 };
    if (tooManyValues(entry)) {
      throw fail(`${kind} header entry ${at / ENTRY_SIZE} (tag ${entry.tag}, type ${entry.type}, offset ${entry.offset}, count ${entry.count}) holds more than ${ARRAY_COUNT_MAX} values`);
    }
  }
}

function tooManyValues(entry: RpmHeaderEntry): boolean {
  return entry.type !== RpmTagType.BIN && entry.count > ARRAY_COUNT_MAX;
}

export class RpmHeader {
  private constructor(
    /** The whole header from its magic: what header digests cover. */
    readonly bytes: Buffer,
    private readonly store: Buffer,
    private readonly index: Map<number, RpmHeaderEntry>,
    /** The region tag the header opens with (62 signature, 63 immutable), if any. */
    readonly regionTag: number | undefined,
  ) {}

  /**
   * Parses and bounds-checks a header. `bytes` is exactly preamble + index + store, as
   * parseHeaderPreamble sized it; `fail` makes the error for a malformed header.
   */
  static parse(bytes: Buffer, kind: HeaderKind, fail: (message: string) => Error): RpmHeader {
    const { entries: il, dataLength: dl } = parseHeaderPreamble(bytes, kind, fail);
    const indexEnd = HEADER_PREAMBLE_SIZE + il * ENTRY_SIZE;
    if (bytes.length !== indexEnd + dl) throw fail(`${kind} header is ${bytes.length} bytes, its index says ${indexEnd + dl}`);
    const store = bytes.subarray(indexEnd);
    const index = new Map<number, RpmHeaderEntry>();
    const raw: RpmHeaderEntry[] = [];
    for (let i = 0; i < il; i++) {
      const at = HEADER_PREAMBLE_SIZE + i * ENTRY_SIZE;
      raw.push({ tag: bytes.readUInt32BE(at), type: bytes.readUInt32BE(at + 4), offset: bytes.readInt32BE(at + 8), count: bytes.readUInt32BE(at + 12), length: 0 });
    }
    const regionTag = checkRegion(raw, store, il, kind, fail);
    // Entries after the region tag must lie inside the store, aligned, in ascending order and
    // without overlapping each other or the region trailer (rpm's hdrblobVerifyInfo).
    let end = 0;
    const regionDataEnd = regionTag === undefined ? -1 : raw[0]!.offset + ENTRY_SIZE;
    for (let i = regionTag === undefined ? 0 : 1; i < il; i++) {
      const entry = raw[i]!;
      const where = `${kind} header entry ${i} (tag ${entry.tag}, type ${entry.type}, offset ${entry.offset}, count ${entry.count})`;
      if (entry.type > RpmTagType.I18NSTRING) throw fail(`${where} has an unknown type`);
      if (entry.offset < 0 || entry.offset > dl) throw fail(`${where} points outside the ${dl}-byte data store`);
      if (entry.offset < end) throw fail(`${where} overlaps the entry before it`);
      if (entry.type !== RpmTagType.NULL && (entry.count === 0 || entry.count > dl)) throw fail(`${where} has an impossible count`);
      if (entry.type === RpmTagType.STRING && entry.count !== 1) throw fail(`${where} is a STRING with a count other than 1`);
      if (tooManyValues(entry)) throw fail(`${where} holds more than ${ARRAY_COUNT_MAX} values`);
      const size = RPM_TYPE_SIZES[entry.type];
      if (size !== undefined && size > 1 && entry.offset % size !== 0) throw fail(`${where} is misaligned`);
      entry.length = dataLength(entry, store, dl);
      if (entry.length < 0) throw fail(`${where} runs past the end of the ${dl}-byte data store`);
      end = entry.offset + entry.length;
      if (regionTag !== undefined && end > regionDataEnd - ENTRY_SIZE && entry.offset < regionDataEnd) {
        throw fail(`${where} overlaps the region trailer`);
      }
      // A tag appearing twice is only possible in damaged or hand-made headers; the first wins, as in rpm.
      if (!index.has(entry.tag)) index.set(entry.tag, entry);
    }
    return new RpmHeader(bytes, store, index, regionTag);
  }

  has(tag: number): boolean {
    return this.index.has(tag);
  }

  /** How many values an entry holds (its index count), without decoding them. */
  count(tag: number): number | undefined {
    return this.index.get(tag)?.count;
  }

  /** The bytes of an entry's data in the store, without decoding it. */
  byteLength(tag: number): number | undefined {
    return this.index.get(tag)?.length;
  }

  /** A STRING, the first value of an I18NSTRING (the C locale) or of a STRING_ARRAY. */
  string(tag: number): string | undefined {
    return this.strings(tag)?.[0];
  }

  /** STRING_ARRAY and I18NSTRING values (one per locale); a STRING as a one-element array. */
  strings(tag: number): string[] | undefined {
    const entry = this.index.get(tag);
    if (!entry) return undefined;
    if (entry.type !== RpmTagType.STRING && entry.type !== RpmTagType.STRING_ARRAY && entry.type !== RpmTagType.I18NSTRING) return undefined;
    const values: string[] = [];
    let at = entry.offset;
    for (let i = 0; i < entry.count; i++) {
      const nul = this.store.indexOf(0, at);
      values.push(this.store.toString('utf8', at, nul));
      at = nul + 1;
    }
    return values;
  }

  /** The first value of an integer tag. */
  number(tag: number): number | undefined {
    return this.numbers(tag)?.[0];
  }

  /** CHAR, INT8, INT16, INT32 (unsigned, as rpm stores them) and INT64 values. */
  numbers(tag: number): number[] | undefined {
    const entry = this.index.get(tag);
    if (!entry) return undefined;
    const size = RPM_TYPE_SIZES[entry.type];
    if (size === undefined || entry.type === RpmTagType.BIN || entry.type === RpmTagType.NULL) return undefined;
    const values = new Array<number>(entry.count);
    for (let i = 0, at = entry.offset; i < entry.count; i++, at += size) {
      switch (size) {
        case 1: values[i] = this.store[at]!; break;
        case 2: values[i] = this.store.readUInt16BE(at); break;
        case 4: values[i] = this.store.readUInt32BE(at); break;
        default: values[i] = Number(this.store.readBigUInt64BE(at));
      }
    }
    return values;
  }

  /** BIN data (and, for convenience, any entry's raw stored bytes). */
  binary(tag: number): Buffer | undefined {
    const entry = this.index.get(tag);
    return entry ? this.store.subarray(entry.offset, entry.offset + entry.length) : undefined;
  }
}

/**
 * Validates the region tag and its trailer when the header opens with one, returning the tag.
 * Package files must have a region covering the whole header (rpm reads them "exact size").
 */
function checkRegion(raw: RpmHeaderEntry[], store: Buffer, il: number, kind: HeaderKind, fail: (message: string) => Error): number | undefined {
  const first = raw[0]!;
  const expected = kind === 'signature' ? RegionTag.HEADERSIGNATURES : RegionTag.HEADERIMMUTABLE;
  if (first.tag !== expected && first.tag !== RegionTag.HEADERIMAGE) return undefined;
  if (first.type !== RpmTagType.BIN || first.count !== ENTRY_SIZE) throw fail(`${kind} header region tag ${first.tag} is malformed`);
  if (first.offset < 0 || first.offset + ENTRY_SIZE > store.length) throw fail(`${kind} header region trailer lies outside the data store`);
  let trailerTag = store.readUInt32BE(first.offset);
  const trailerType = store.readUInt32BE(first.offset + 4);
  const regionIndexSize = -store.readInt32BE(first.offset + 8);
  const trailerCount = store.readUInt32BE(first.offset + 12);
  // Some old packages put HEADERIMAGE in the signature region trailer; rpm accepts that.
  if (kind === 'signature' && trailerTag === RegionTag.HEADERIMAGE) trailerTag = first.tag;
  if (trailerTag !== first.tag || trailerType !== RpmTagType.BIN || trailerCount !== ENTRY_SIZE) {
    throw fail(`${kind} header region trailer is malformed`);
  }
  const regionEntries = regionIndexSize / ENTRY_SIZE;
  const regionData = first.offset + ENTRY_SIZE;
  if (regionIndexSize % ENTRY_SIZE !== 0 || regionEntries < 1 || regionEntries > il || regionData > store.length) throw fail(`${kind} header region spans ${regionEntries} entries of ${il}`);
  // Signing tools may append entries after the signature region; the main header of a package
  // file must be one region exactly (rpm reads it with exact_size).
  if (kind === 'main' && (regionEntries !== il || regionData !== store.length)) {
    throw fail(`${kind} header region covers ${regionEntries} entries and ${regionData} bytes, the header has ${il} and ${store.length}`);
  }
  first.length = ENTRY_SIZE;
  return first.tag;
}

/** Bytes an entry's data occupies, or -1 when it would run past the store. */
function dataLength(entry: RpmHeaderEntry, store: Buffer, dl: number): number {
  const size = RPM_TYPE_SIZES[entry.type];
  if (size !== undefined) {
    const length = size * entry.count;
    return entry.offset + length > dl ? -1 : length;
  }
  // STRING holds one NUL-terminated string; STRING_ARRAY and I18NSTRING hold `count` of them.
  const strings = entry.type === RpmTagType.STRING ? 1 : entry.count;
  let at = entry.offset;
  for (let i = 0; i < strings; i++) {
    const nul = store.indexOf(0, at);
    if (nul < 0 || nul >= dl) return -1;
    at = nul + 1;
  }
  return at - entry.offset;
}
