import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isArborError } from '@arbor/core';
import { readRpmInfo, RpmErrorCode, RpmHeader, RpmTagType } from '@arbor/plugin-rpm';
import { FIXTURES } from '../support/runArbor';

interface Entry {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
}

const ALIGN: Record<number, number> = { [RpmTagType.INT16]: 2, [RpmTagType.INT32]: 4, [RpmTagType.INT64]: 8 };

/**
 * Writes a header the way rpm lays one out (big-endian index {tag, type, offset, count}, data
 * aligned to its type), optionally inside an immutable region (tag 63 and its trailer).
 */
function headerBytes(entries: Entry[], region = true): Buffer {
  const all = region ? [{ tag: 63, type: RpmTagType.BIN, count: 16, data: Buffer.alloc(16) }, ...entries] : entries;
  const offsets: number[] = [];
  const store: Buffer[] = [];
  let size = 0;
  for (const entry of all.slice(region ? 1 : 0)) {
    const pad = (ALIGN[entry.type] ?? 1) - 1;
    const aligned = (size + pad) & ~pad;
    if (aligned > size) store.push(Buffer.alloc(aligned - size));
    offsets.push(aligned);
    store.push(entry.data);
    size = aligned + entry.data.length;
  }
  if (region) {
    const trailer = Buffer.alloc(16);
    trailer.writeUInt32BE(63, 0);
    trailer.writeUInt32BE(RpmTagType.BIN, 4);
    trailer.writeInt32BE(-all.length * 16, 8);
    trailer.writeUInt32BE(16, 12);
    offsets.unshift(size);
    store.push(trailer);
    size += 16;
  }
  const index = Buffer.alloc(all.length * 16);
  all.forEach((entry, i) => {
    index.writeUInt32BE(entry.tag, i * 16);
    index.writeUInt32BE(entry.type, i * 16 + 4);
    index.writeInt32BE(offsets[i]!, i * 16 + 8);
    index.writeUInt32BE(entry.count, i * 16 + 12);
  });
  const preamble = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  preamble.writeUInt32BE(all.length, 8);
  preamble.writeUInt32BE(size, 12);
  return Buffer.concat([preamble, index, ...store]);
}

const fail = (message: string) => Object.assign(new Error(message), { code: RpmErrorCode.HEADER_INVALID });
const parse = (bytes: Buffer) => RpmHeader.parse(bytes, 'main', fail);
const strings = (...values: string[]) => Buffer.from(values.map((value) => `${value}\0`).join(''));

function int(size: number, values: number[]): Buffer {
  const data = Buffer.alloc(size * values.length);
  values.forEach((value, i) => {
    if (size === 1) data.writeUInt8(value, i);
    else if (size === 2) data.writeUInt16BE(value, i * 2);
    else if (size === 4) data.writeUInt32BE(value, i * 4);
    else data.writeBigUInt64BE(BigInt(value), i * 8);
  });
  return data;
}

function rejects(bytes: Buffer, pattern: RegExp): void {
  assert.throws(() => parse(bytes), (error: Error & { code?: string }) => {
    assert.equal(error.code, RpmErrorCode.HEADER_INVALID);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('RpmHeader', () => {
  it('reads every tag type: NULL, CHAR, INT8/16/32/64, STRING, BIN, STRING_ARRAY, I18NSTRING', () => {
    const header = parse(headerBytes([
      { tag: 999, type: RpmTagType.NULL, count: 0, data: Buffer.alloc(0) },
      { tag: 1000, type: RpmTagType.STRING, count: 1, data: strings('héllo') },
      { tag: 1001, type: RpmTagType.CHAR, count: 2, data: Buffer.from('xy') },
      { tag: 1002, type: RpmTagType.INT8, count: 3, data: int(1, [1, 2, 255]) },
      { tag: 1003, type: RpmTagType.INT16, count: 2, data: int(2, [0o100644, 65535]) },
      { tag: 1004, type: RpmTagType.INT32, count: 2, data: int(4, [7, 0xffffffff]) },
      { tag: 1005, type: RpmTagType.INT64, count: 1, data: int(8, [2 ** 40 + 5]) },
      { tag: 1006, type: RpmTagType.BIN, count: 4, data: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
      { tag: 1007, type: RpmTagType.STRING_ARRAY, count: 3, data: strings('a', '', 'c d') },
      { tag: 1008, type: RpmTagType.I18NSTRING, count: 2, data: strings('C summary', 'résumé') },
    ]));
    assert.equal(header.regionTag, 63);
    assert.ok(header.has(999));
    assert.equal(header.numbers(999), undefined, 'a NULL entry has no value');
    assert.equal(header.string(1000), 'héllo');
    assert.deepEqual(header.numbers(1001), [0x78, 0x79]);
    assert.deepEqual(header.numbers(1002), [1, 2, 255]);
    assert.deepEqual(header.numbers(1003), [0o100644, 65535]);
    assert.deepEqual(header.numbers(1004), [7, 0xffffffff]);
    assert.deepEqual(header.numbers(1005), [2 ** 40 + 5]);
    assert.equal(header.binary(1006)!.toString('hex'), 'deadbeef');
    assert.deepEqual(header.strings(1007), ['a', '', 'c d']);
    assert.equal(header.string(1008), 'C summary', 'the first I18N string is the C locale');
    assert.deepEqual(header.strings(1008), ['C summary', 'résumé']);
    assert.equal(header.string(9999), undefined);
  });

  it('reads a legacy header without a region', () => {
    const header = parse(headerBytes([{ tag: 1000, type: RpmTagType.STRING, count: 1, data: strings('old') }], false));
    assert.equal(header.regionTag, undefined);
    assert.equal(header.string(1000), 'old');
  });

  it('refuses index entries that point outside the data store, run past it or overlap', () => {
    const good = headerBytes([
      { tag: 1000, type: RpmTagType.STRING, count: 1, data: strings('abc') },
      { tag: 1004, type: RpmTagType.INT32, count: 1, data: int(4, [1]) },
    ]);
    const offsetOf = (entry: number) => 16 + entry * 16 + 8;
    const countOf = (entry: number) => 16 + entry * 16 + 12;
    const patched = (at: number, value: number) => {
      const copy = Buffer.from(good);
      copy.writeInt32BE(value, at);
      return copy;
    };
    rejects(patched(offsetOf(1), 1 << 20), /points outside/);
    rejects(patched(offsetOf(1), -4), /points outside/);
    rejects(patched(countOf(2), 1000), /impossible count|runs past/);
    rejects(patched(offsetOf(2), 1), /misaligned|overlaps/);
    rejects(patched(countOf(1), 2), /count other than 1/);
  });

  it('refuses a string without its NUL, an unknown type, and a broken region trailer', () => {
    const noNul = headerBytes([{ tag: 1000, type: RpmTagType.BIN, count: 3, data: Buffer.from('abc') }], false);
    noNul.writeUInt32BE(RpmTagType.STRING_ARRAY, 16 + 4);
    noNul.writeUInt32BE(2, 16 + 12);
    rejects(noNul, /runs past/);
    const intoTrailer = headerBytes([{ tag: 1000, type: RpmTagType.BIN, count: 3, data: Buffer.from('abc') }]);
    intoTrailer.writeUInt32BE(RpmTagType.STRING, 16 + 16 + 4);
    intoTrailer.writeUInt32BE(1, 16 + 16 + 12);
    rejects(intoTrailer, /overlaps the region trailer/);
    const unknownType = headerBytes([{ tag: 1000, type: RpmTagType.INT32, count: 1, data: int(4, [1]) }]);
    unknownType.writeUInt32BE(10, 16 + 16 + 4);
    rejects(unknownType, /unknown type/);
    const badTrailer = headerBytes([{ tag: 1000, type: RpmTagType.INT32, count: 1, data: int(4, [1]) }]);
    badTrailer.writeInt32BE(-48, badTrailer.length - 8);
    rejects(badTrailer, /region/);
  });

  it('refuses more index entries or data than rpm allows, before reading them', () => {
    const huge = headerBytes([{ tag: 1000, type: RpmTagType.INT32, count: 1, data: int(4, [1]) }]);
    huge.writeUInt32BE(0x10000, 8);
    rejects(huge, /index entries/);
    huge.writeUInt32BE(2, 8);
    huge.writeUInt32BE(0x10000000, 12);
    rejects(huge, /bytes of data/);
  });

  it('never crashes on damaged packages: 400 random byte flips in a real header give an ArborError or a clean read', async function () {
    this.timeout(60_000);
    const original = fs.readFileSync(path.join(FIXTURES, 'rpm/rpmfile-py/xmlstarlet.rpm'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-fuzz-'));
    let seed = 12345;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    const codes = new Set<string>();
    try {
      for (let round = 0; round < 400; round++) {
        const damaged = Buffer.from(original);
        // The lead, both headers and the start of the payload: where structure lives.
        for (let flips = 1 + random(3); flips > 0; flips--) damaged[random(12_000)] ^= 1 << random(8);
        const file = path.join(dir, `damaged-${round}.rpm`);
        fs.writeFileSync(file, damaged);
        try {
          await readRpmInfo(file);
        } catch (error) {
          assert.ok(isArborError(error), `round ${round}: ${(error as Error).stack}`);
          assert.doesNotMatch(error.message, /\n/);
          codes.add(error.code);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(codes.has(RpmErrorCode.DIGEST_MISMATCH) && codes.has(RpmErrorCode.HEADER_INVALID), [...codes].join(', '));
  });
});
