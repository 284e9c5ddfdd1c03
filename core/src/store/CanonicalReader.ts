import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * Reads canonical encodings back, refusing anything out of bounds. Every object read from
 * disk or the network goes through it, so a truncated or hostile object becomes a one-line
 * ARBOR_STORE_OBJECT_CORRUPT error naming the object, never a crash or an overlong read.
 */
export class CanonicalReader {
  offset = 0;

  constructor(readonly bytes: Buffer, readonly what: string) {}

  fail(reason: string): never {
    // A reason may quote names from the object itself: control bytes are escaped so the error stays one line.
    const printable = reason.replace(/[\u0000-\u001f\u007f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
    throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `${this.what} is corrupt: ${printable}`, {
      hint: 'Run `arbor fsck` to list every damaged object; re-pull or re-commit to repair it',
    });
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) this.fail(`truncated at byte ${this.offset} (needs ${count} more)`);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const value = this.bytes.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): number {
    this.need(8);
    const high = this.bytes.readUInt32BE(this.offset);
    const low = this.bytes.readUInt32BE(this.offset + 4);
    this.offset += 8;
    if (high >= 0x200000) this.fail('64-bit value beyond 2^53');
    return high * 0x100000000 + low;
  }

  raw(count: number): Buffer {
    this.need(count);
    const value = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  /** A byte string as latin1 (one char per byte). */
  latin1(count: number): string {
    this.need(count);
    const value = this.bytes.toString('latin1', this.offset, this.offset + count);
    this.offset += count;
    return value;
  }

  magic(expected: string, version: number): void {
    const found = this.latin1(expected.length);
    if (found !== expected) this.fail(`bad magic "${found.replace(/[^\x20-\x7e]/g, '?')}", expected "${expected}"`);
    const foundVersion = this.u8();
    if (foundVersion !== version) this.fail(`unsupported format version ${foundVersion}`);
  }

  end(): void {
    if (this.offset !== this.bytes.length) this.fail(`${this.bytes.length - this.offset} trailing bytes`);
  }
}
