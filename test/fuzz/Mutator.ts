/**
 * Byte-level mutations for formats that are length-prefixed, big-endian and NUL-terminated:
 * bit flips, random and "interesting" bytes and 16/32-bit values (0, -1, the sign bit, a
 * length of 2^31), inserts, deletes, duplicated runs, and splices with another corpus entry.
 * Deterministic for a given seed (mulberry32), so a run can be replayed.
 */
export class Mutator {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A 32-bit random number (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** 1 to 8 stacked mutations of `input`, no longer than `maxLength`. */
  mutate(input: Buffer, corpus: readonly Buffer[], maxLength: number): Buffer {
    let out: Buffer = Buffer.from(input);
    const rounds = 1 + this.below(8);
    for (let i = 0; i < rounds; i++) out = this.once(out, corpus);
    return out.length > maxLength ? out.subarray(0, maxLength) : out;
  }

  private once(input: Buffer, corpus: readonly Buffer[]): Buffer {
    const at = this.below(input.length);
    switch (this.below(10)) {
      case 0: {
        if (input.length) input[at] ^= 1 << this.below(8);
        return input;
      }
      case 1: {
        if (input.length) input[at] = this.below(256);
        return input;
      }
      case 2: {
        if (input.length) input[at] = this.pick([0, 1, 0x7f, 0x80, 0xff, 0x2f, 0x2e, 0x0a, 0x20]);
        return input;
      }
      case 3: {
        // A big-endian 32-bit field set to an edge value, at a 4-aligned offset (header fields are).
        const where = at & ~3;
        if (where + 4 <= input.length) input.writeUInt32BE(this.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0xffff, 16, 4096, this.next()]), where);
        return input;
      }
      case 4: {
        if (at + 2 <= input.length) input.writeUInt16BE(this.pick([0, 0xffff, 0x8000, 0x7fff, this.below(0x10000)]), at);
        return input;
      }
      case 5: {
        const length = 1 + this.below(16);
        return Buffer.concat([input.subarray(0, at), Buffer.from(Array.from({ length }, () => this.below(256))), input.subarray(at)]);
      }
      case 6: {
        const length = 1 + this.below(Math.min(64, Math.max(1, input.length - at)));
        return Buffer.concat([input.subarray(0, at), input.subarray(at + length)]);
      }
      case 7: {
        const length = 1 + this.below(Math.min(256, Math.max(1, input.length - at)));
        const run = input.subarray(at, at + length);
        return Buffer.concat([input.subarray(0, at), run, run, input.subarray(at + length)]);
      }
      case 8: {
        const other = this.pick(corpus);
        if (!other?.length) return input;
        const from = this.below(other.length);
        const length = 1 + this.below(Math.min(512, other.length - from));
        return Buffer.concat([input.subarray(0, at), other.subarray(from, from + length), input.subarray(at + this.below(length + 1))]);
      }
      default:
        return input.subarray(0, at);
    }
  }
}
