/**
 * Reads exact byte counts from a stream of chunks (a file, a decompressor's output) without
 * holding more than the chunk in hand: RPM headers and cpio records are length-prefixed, so
 * the reader only ever needs "the next N bytes". Slices of the current chunk are returned
 * without copying when they fit; a read that spans chunks is copied into one buffer.
 */
export class ByteReader {
  private chunk: Buffer = Buffer.alloc(0);
  private position = 0;
  private consumed = 0;
  private ended = false;

  /**
   * @param source chunks in order
   * @param truncated makes the error for a read past the end; `what` names what was being read
   */
  constructor(
    private readonly source: AsyncIterator<Buffer>,
    private readonly truncated: (what: string, wanted: number, got: number) => Error,
  ) {}

  /** Bytes handed out so far: the offset of the next byte in the whole stream. */
  get offset(): number {
    return this.consumed;
  }

  /** Exactly `length` bytes, or the `truncated` error. */
  async read(length: number, what: string): Promise<Buffer> {
    const available = this.chunk.length - this.position;
    if (available >= length) {
      const slice = this.chunk.subarray(this.position, this.position + length);
      this.position += length;
      this.consumed += length;
      return slice;
    }
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      if (this.position === this.chunk.length && !(await this.fill())) throw this.truncated(what, length, filled);
      const take = Math.min(length - filled, this.chunk.length - this.position);
      this.chunk.copy(out, filled, this.position, this.position + take);
      this.position += take;
      filled += take;
    }
    this.consumed += length;
    return out;
  }

  /** Between 1 and `max` bytes, whatever is at hand; null at the end of the stream. */
  async readUpTo(max: number): Promise<Buffer | null> {
    if (this.position === this.chunk.length && !(await this.fill())) return null;
    const take = Math.min(max, this.chunk.length - this.position);
    const slice = this.chunk.subarray(this.position, this.position + take);
    this.position += take;
    this.consumed += take;
    return slice;
  }

  /** Skips exactly `length` bytes, or throws the `truncated` error. */
  async skip(length: number, what: string): Promise<void> {
    let left = length;
    while (left > 0) {
      const slice = await this.readUpTo(left);
      if (!slice) throw this.truncated(what, length, length - left);
      left -= slice.length;
    }
  }

  /**
   * Up to `length` bytes from the current position, without consuming them; fewer only at the
   * end of the stream. Joins chunks when the current one is shorter.
   */
  async peek(length: number): Promise<Buffer> {
    while (this.chunk.length - this.position < length) {
      const kept = this.chunk.subarray(this.position);
      if (!(await this.fill())) {
        this.chunk = kept;
        this.position = 0;
        break;
      }
      this.chunk = Buffer.concat([kept, this.chunk]);
    }
    return this.chunk.subarray(this.position, this.position + length);
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return this.position === this.chunk.length && !(await this.fill());
  }

  /** Reads and discards up to `max` bytes; returns how many there were (less only at the end). */
  async skipUpTo(max: number): Promise<number> {
    let skipped = 0;
    while (skipped < max) {
      const slice = await this.readUpTo(max - skipped);
      if (!slice) break;
      skipped += slice.length;
    }
    return skipped;
  }

  /** Reads and discards everything left. */
  async skipRest(): Promise<void> {
    while (await this.readUpTo(Number.MAX_SAFE_INTEGER)) {
      // discarded
    }
  }

  /** Everything not read yet, chunk by chunk; the reader is used up afterwards. */
  async *rest(): AsyncGenerator<Buffer> {
    for (;;) {
      const slice = await this.readUpTo(Number.MAX_SAFE_INTEGER);
      if (!slice) return;
      yield slice;
    }
  }

  private async fill(): Promise<boolean> {
    while (!this.ended) {
      const next = await this.source.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      if (next.value.length === 0) continue;
      this.chunk = next.value;
      this.position = 0;
      return true;
    }
    return false;
  }
}
