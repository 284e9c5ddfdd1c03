import type { ByteReader } from './ByteReader';

/**
 * Reads the cpio archive inside an RPM payload, entry by entry, as it streams.
 *
 * Two record formats occur:
 * - "newc" (magic 070701, or 070702 with an unused checksum): a 110-byte ASCII header of
 *   thirteen 8-digit hex fields {ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
 *   devminor, rdevmajor, rdevminor, namesize, check}, the NUL-terminated name, padding to
 *   4 bytes, the data, padding to 4 bytes. The archive ends with an entry named TRAILER!!!.
 * - RPM v6 "stripped" (magic 07070X): only an 8-digit hex index into the header's file list,
 *   padded to 4 bytes; every other attribute, the data size included, comes from the header
 *   (FILESIZES or LONGFILESIZES). Index ffffffff ends the archive.
 * Padding is relative to the start of the archive (rpm's lib/cpio.cc).
 */
export type CpioEntry =
  | { format: 'newc'; name: string; ino: number; mode: number; nlink: number; size: number; rdevMajor: number; rdevMinor: number }
  | { format: 'stripped'; fileIndex: number };

const NEWC_HEADER_SIZE = 110;
const STRIPPED_HEADER_SIZE = 14;
/** rpm refuses longer names (CPIO_NAMESIZE_MAX). */
const NAME_SIZE_MAX = 4096;
const TRAILER = 'TRAILER!!!';

export class CpioReader {
  private pendingData = 0;

  /**
   * @param reader the uncompressed payload
   * @param fail makes the error for a malformed archive
   */
  constructor(
    private readonly reader: ByteReader,
    private readonly fail: (message: string) => Error,
  ) {}

  /**
   * The next entry, or null after the trailer. The previous entry's data must have been read
   * (or skipped) first; for a stripped entry the caller says how long that data is.
   */
  async next(): Promise<CpioEntry | null> {
    if (this.pendingData !== 0) throw new Error('CpioReader.next() before the previous entry was read');
    await this.align();
    const header = await this.reader.read(6, 'a cpio header');
    const magic = header.toString('latin1');
    if (magic === '07070X') {
      const index = await this.reader.read(8, 'a cpio header');
      await this.align();
      const fileIndex = parseHex(index, 0, this.fail);
      return fileIndex === 0xffffffff ? null : { format: 'stripped', fileIndex };
    }
    if (magic !== '070701' && magic !== '070702') throw this.fail(`bad cpio magic "${printable(header)}" at payload offset ${this.reader.offset - 6}`);
    const fields = await this.reader.read(NEWC_HEADER_SIZE - 6, 'a cpio header');
    const field = (n: number) => parseHex(fields, n * 8, this.fail);
    const nameSize = field(11);
    if (nameSize < 1 || nameSize > NAME_SIZE_MAX) throw this.fail(`a cpio entry has a name of ${nameSize} bytes`);
    const nameBytes = await this.reader.read(nameSize, 'a cpio file name');
    if (nameBytes[nameSize - 1] !== 0) throw this.fail('a cpio file name is not NUL-terminated');
    const name = nameBytes.toString('utf8', 0, nameSize - 1);
    await this.align();
    const size = field(6);
    if (name === TRAILER) return null;
    this.pendingData = size;
    return { format: 'newc', name, ino: field(0), mode: field(1), nlink: field(4), size, rdevMajor: field(9), rdevMinor: field(10) };
  }

  /** Declares the data length of a stripped entry, which only the header knows. */
  expectData(size: number): void {
    this.pendingData = size;
  }

  /** The current entry's data, chunk by chunk (slices valid until the next read). */
  async *data(): AsyncGenerator<Buffer> {
    while (this.pendingData > 0) {
      const chunk = await this.reader.readUpTo(this.pendingData);
      if (!chunk) throw this.fail(`the payload ends inside a file's data (${this.pendingData} bytes missing)`);
      this.pendingData -= chunk.length;
      yield chunk;
    }
  }

  /** Skips the current entry's data. */
  async skipData(): Promise<void> {
    const size = this.pendingData;
    this.pendingData = 0;
    await this.reader.skip(size, "a file's data");
  }

  private async align(): Promise<void> {
    const pad = (4 - (this.reader.offset % 4)) % 4;
    if (pad) await this.reader.skip(pad, 'cpio padding');
  }
}

function parseHex(bytes: Buffer, at: number, fail: (message: string) => Error): number {
  let value = 0;
  for (let i = at; i < at + 8; i++) {
    const c = bytes[i]!;
    const digit = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (digit < 0) throw fail(`a cpio header field "${printable(bytes.subarray(at, at + 8))}" is not hexadecimal`);
    value = value * 16 + digit;
  }
  return value;
}

function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
}
