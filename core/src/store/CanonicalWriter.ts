/**
 * Appends the fixed-width big-endian integers and length-prefixed byte strings that every
 * canonical object encoding is made of (docs/format.md §1). There is exactly one way to write
 * each value, so equal inputs always give equal bytes and equal IDs.
 */
export class CanonicalWriter {
  private buffer: Buffer;
  private length = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  u8(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  u16(value: number): this {
    this.reserve(2);
    this.buffer.writeUInt16BE(value, this.length);
    this.length += 2;
    return this;
  }

  u32(value: number): this {
    this.reserve(4);
    this.buffer.writeUInt32BE(value >>> 0, this.length);
    this.length += 4;
    return this;
  }

  /** Unsigned 64-bit; JavaScript numbers are exact up to 2^53, far above any file size. */
  u64(value: number): this {
    this.reserve(8);
    this.buffer.writeUInt32BE(Math.floor(value / 0x100000000), this.length);
    this.buffer.writeUInt32BE(value >>> 0, this.length + 4);
    this.length += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
    return this;
  }

  /** A byte string given as latin1 (one char per byte), written without a length. */
  latin1(text: string): this {
    this.reserve(text.length);
    this.length += this.buffer.write(text, this.length, 'latin1');
    return this;
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }
}
