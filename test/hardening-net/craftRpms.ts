import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { headerSpans } from '../rpm/rpmSurgery';

/**
 * The crafted packages of issue 19, made from a real package (go-rpmutils' gzip payload-test)
 * by re-encoding its headers: every structure is valid and every digest right, so only the
 * reader's limits stand between them and a blown heap.
 *
 *   shared-dirnames   20,000 files whose paths share one 1 MiB DIRNAMES entry (1.3 MB file;
 *                     their joined paths would be 20 GB)
 *   huge-count        a BASENAMES entry of 128M empty strings (a 128 MiB header)
 *   after-trailer     the real payload, then 1 GiB of zeros after the cpio TRAILER!!!
 *   oversized-file    a cpio entry whose data is 64 MiB where the header says 6 bytes
 *
 * Run as a script (`node test/dist/hardening-net/craftRpms.js DIR`) to write them all to DIR.
 */
export const CRAFTED = ['shared-dirnames', 'huge-count', 'after-trailer', 'oversized-file'] as const;
export type CraftedName = (typeof CRAFTED)[number];

export const BASE_PACKAGE = path.resolve(__dirname, '..', '..', 'fixtures', 'rpm', 'go-rpmutils', 'payload-test-0.1-w9.gzdio.x86_64.rpm');

/** RPM v4 header entry types (rpm's rpmTagType). */
const Type = { INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
const FIXED: Record<number, number> = { 0: 0, 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };
const REGION_SIGNATURES = 62;
const REGION_IMMUTABLE = 63;
const Tag = {
  BASENAMES: 1117, DIRNAMES: 1118, DIRINDEXES: 1116, FILESIZES: 1028, FILEMODES: 1030,
  PAYLOADDIGEST: 5092, PAYLOADDIGESTALT: 5097, PAYLOADSIZE: 5112, PAYLOADSIZEALT: 5113,
} as const;
/** Per-file arrays dropped when the file list is rewritten (readers fall back to defaults). */
const FILE_ARRAYS = [1029, 1031, 1032, 1033, 1034, 1035, 1036, 1037, 1038, 1039, 1040, 1045, 1095, 1096, 1097, 1098, 1099, 1116, 1117, 1118, 1028, 1030, 5008, 5010, 5011, 5045, 5046, 1140, 5099];

export interface HeaderEntry {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
}

/** The entries of the header at `start` (region tag excluded), each with its exact data. */
export function readEntries(file: Buffer, start: number): HeaderEntry[] {
  const il = file.readUInt32BE(start + 8);
  const dl = file.readUInt32BE(start + 12);
  const store = file.subarray(start + 16 + il * 16, start + 16 + il * 16 + dl);
  const entries: HeaderEntry[] = [];
  for (let i = 0; i < il; i++) {
    const at = start + 16 + i * 16;
    const tag = file.readUInt32BE(at);
    const type = file.readUInt32BE(at + 4);
    const offset = file.readInt32BE(at + 8);
    const count = file.readUInt32BE(at + 12);
    if (tag === REGION_SIGNATURES || tag === REGION_IMMUTABLE) continue;
    let end: number;
    if (FIXED[type] !== undefined) end = offset + FIXED[type]! * count;
    else {
      end = offset;
      for (let n = 0; n < (type === Type.STRING ? 1 : count); n++) end = store.indexOf(0, end) + 1;
    }
    entries.push({ tag, type, count, data: Buffer.from(store.subarray(offset, end)) });
  }
  return entries;
}

/** A header with a region covering all of it, entries sorted by tag and aligned (rpm's headerExport). */
export function encodeHeader(entries: HeaderEntry[], regionTag: number): Buffer {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const il = sorted.length + 1;
  const index = Buffer.alloc(il * 16);
  const parts: Buffer[] = [];
  let length = 0;
  sorted.forEach((entry, i) => {
    const align = FIXED[entry.type] && FIXED[entry.type]! > 1 ? FIXED[entry.type]! : 1;
    const pad = (align - (length % align)) % align;
    if (pad) parts.push(Buffer.alloc(pad));
    length += pad;
    const at = (i + 1) * 16;
    index.writeUInt32BE(entry.tag, at);
    index.writeUInt32BE(entry.type, at + 4);
    index.writeInt32BE(length, at + 8);
    index.writeUInt32BE(entry.count, at + 12);
    parts.push(entry.data);
    length += entry.data.length;
  });
  const trailer = Buffer.alloc(16);
  trailer.writeUInt32BE(regionTag, 0);
  trailer.writeUInt32BE(Type.BIN, 4);
  trailer.writeInt32BE(-il * 16, 8);
  trailer.writeUInt32BE(16, 12);
  index.writeUInt32BE(regionTag, 0);
  index.writeUInt32BE(Type.BIN, 4);
  index.writeInt32BE(length, 8);
  index.writeUInt32BE(16, 12);
  parts.push(trailer);
  length += 16;
  const preamble = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  preamble.writeUInt32BE(il, 8);
  preamble.writeUInt32BE(length, 12);
  return Buffer.concat([preamble, index, ...parts]);
}

/**
 * A package from `base` with its main header entries edited and, optionally, a new compressed
 * payload; the payload digest, the signature header (SHA256, SHA1, MD5, SIZE) are made anew.
 */
export function repackage(base: Buffer, edit: (entries: HeaderEntry[]) => HeaderEntry[], payload?: Buffer): Buffer {
  const { main } = headerSpans(base);
  const lead = base.subarray(0, 96);
  const body = payload ?? base.subarray(main.end);
  let entries = edit(readEntries(base, main.start)).filter((entry) => ![Tag.PAYLOADDIGEST, Tag.PAYLOADDIGESTALT, Tag.PAYLOADSIZE, Tag.PAYLOADSIZEALT].includes(entry.tag as never));
  entries = [...entries, stringArray(Tag.PAYLOADDIGEST, [crypto.createHash('sha256').update(body).digest('hex')])];
  const header = encodeHeader(entries, REGION_IMMUTABLE);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(Math.min(header.length + body.length, 0xffffffff));
  const signature = encodeHeader([
    { tag: 269, type: Type.STRING, count: 1, data: Buffer.from(`${crypto.createHash('sha1').update(header).digest('hex')}\0`) },
    { tag: 273, type: Type.STRING, count: 1, data: Buffer.from(`${crypto.createHash('sha256').update(header).digest('hex')}\0`) },
    { tag: 1000, type: Type.INT32, count: 1, data: size },
    { tag: 1004, type: Type.BIN, count: 16, data: crypto.createHash('md5').update(header).update(body).digest() },
  ], REGION_SIGNATURES);
  const padding = Buffer.alloc((8 - (signature.length % 8)) % 8);
  return Buffer.concat([lead, signature, padding, header, body]);
}

function stringArray(tag: number, values: string[]): HeaderEntry {
  return { tag, type: Type.STRING_ARRAY, count: values.length, data: Buffer.from(values.map((value) => `${value}\0`).join('')) };
}

function int32Array(tag: number, values: number[]): HeaderEntry {
  const data = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => data.writeUInt32BE(value, i * 4));
  return { tag, type: Type.INT32, count: values.length, data };
}

function int16Array(tag: number, values: number[]): HeaderEntry {
  const data = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => data.writeUInt16BE(value, i * 2));
  return { tag, type: Type.INT16, count: values.length, data };
}

/** The file list replaced by `files` regular files named by (dirnames[index], basename). */
function fileList(entries: HeaderEntry[], dirnames: string[], files: { dir: number; base: string; size: number }[]): HeaderEntry[] {
  return [
    ...entries.filter((entry) => !FILE_ARRAYS.includes(entry.tag)),
    stringArray(Tag.BASENAMES, files.map((file) => file.base)),
    stringArray(Tag.DIRNAMES, dirnames),
    int32Array(Tag.DIRINDEXES, files.map((file) => file.dir)),
    int32Array(Tag.FILESIZES, files.map((file) => file.size)),
    int16Array(Tag.FILEMODES, files.map(() => 0o100644)),
  ];
}

/** The base package's payload, decompressed (a newc cpio archive). */
function baseArchive(base: Buffer): Buffer {
  return zlib.gunzipSync(base.subarray(headerSpans(base).main.end));
}

/** A newc cpio record (header, name, padding, data, padding), offsets relative to `at`. */
function cpioEntry(name: string, data: Buffer, at: number, mode = 0o100644): Buffer {
  const hex = (value: number) => value.toString(16).padStart(8, '0');
  const fields = [1, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}${name}\0`, 'latin1');
  const pad1 = Buffer.alloc((4 - ((at + head.length) % 4)) % 4);
  const pad2 = Buffer.alloc((4 - ((at + head.length + pad1.length + data.length) % 4)) % 4);
  return Buffer.concat([head, pad1, data, pad2]);
}

/**
 * Gzip of `prefix` then `zeros` zero bytes, one gzip member per MiB so the zeros are never held
 * at once (gzip readers, rpm's and ours, read concatenated members as one stream). gzip's ratio
 * on zeros is ~1000:1, so 1 GiB costs ~1 MiB.
 */
function gzipWithZeros(prefix: Buffer, zeros: number): Buffer {
  const zeroChunk = Buffer.alloc(1 << 20);
  const member = zlib.gzipSync(zeroChunk, { level: 9 });
  const chunks: Buffer[] = [zlib.gzipSync(prefix, { level: 9 })];
  for (let left = zeros; left > 0; left -= zeroChunk.length) chunks.push(left >= zeroChunk.length ? member : zlib.gzipSync(zeroChunk.subarray(0, left)));
  return Buffer.concat(chunks);
}

export function craft(name: CraftedName, base = fs.readFileSync(BASE_PACKAGE)): Buffer {
  switch (name) {
    case 'shared-dirnames': {
      const dir = `/${'d'.repeat((1 << 20) - 3)}/`;
      const files = Array.from({ length: 20_000 }, (_, i) => ({ dir: 0, base: `f${i}`, size: 0 }));
      return repackage(base, (entries) => fileList(entries, [dir], files));
    }
    case 'huge-count': {
      const count = 128 * 1024 * 1024;
      const huge: HeaderEntry = { tag: Tag.BASENAMES, type: Type.STRING_ARRAY, count, data: Buffer.alloc(count) };
      return repackage(base, (entries) => [...entries.filter((entry) => entry.tag !== Tag.BASENAMES), huge]);
    }
    case 'after-trailer':
      return repackage(base, (entries) => entries, gzipWithZeros(baseArchive(base), 1024 * 1024 * 1024));
    case 'oversized-file': {
      // One file the header says is 6 bytes; its cpio entry carries 64 MiB.
      const data = Buffer.alloc(64 << 20, 0x61);
      const entry = cpioEntry('./usr/share/big', data, 0);
      const trailer = cpioEntry('TRAILER!!!', Buffer.alloc(0), entry.length);
      return repackage(base, (entries) => fileList(entries, ['/usr/share/'], [{ dir: 0, base: 'big', size: 6 }]), zlib.gzipSync(Buffer.concat([entry, trailer]), { level: 1 }));
    }
  }
}

if (require.main === module) {
  const out = process.argv[2] ?? '.';
  fs.mkdirSync(out, { recursive: true });
  for (const name of CRAFTED) {
    const file = path.join(out, `crafted-${name}.rpm`);
    fs.writeFileSync(file, craft(name));
    console.log(`${file}: ${fs.statSync(file).size} bytes`);
  }
}
