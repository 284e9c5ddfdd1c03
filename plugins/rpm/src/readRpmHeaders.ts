import fs from 'node:fs';
import { ByteReader } from './ByteReader';
import { verifyHeaderDigests } from './RpmDigest';
import { RpmErrorCode, rpmError } from './RpmError';
import { checkIndexCounts, HEADER_PREAMBLE_SIZE, parseHeaderPreamble, RpmHeader, type HeaderKind } from './RpmHeader';
import { LEAD_SIZE, parseLead, type RpmLead } from './RpmLead';

/** The parts of an RPM file before its payload. */
export interface RpmHeaders {
  lead: RpmLead;
  signature: RpmHeader;
  header: RpmHeader;
  /** Byte offset of the payload in the file. */
  payloadOffset: number;
  /** The header digests that were checked, e.g. `header SHA256`. */
  headerDigests: string[];
}

/** An RPM file opened for one pass: its headers read and checked, the reader at the payload. */
export interface OpenedRpm extends RpmHeaders {
  reader: ByteReader;
  /** The file's size, when known (files are; network streams may not be). */
  fileSize?: number;
  close(): void;
}

/** Chunk size for reading package files; large enough that per-chunk overhead vanishes. */
const READ_CHUNK = 1 << 20;

/**
 * Opens a package file and reads lead, signature header and main header, checking the header
 * digests. The payload is left unread in `reader`, so callers stream it without ever holding
 * the file in memory.
 */
export async function openRpm(packageFile: string): Promise<OpenedRpm> {
  let stream: fs.ReadStream | undefined;
  try {
    const { size } = await fs.promises.stat(packageFile);
    stream = fs.createReadStream(packageFile, { highWaterMark: READ_CHUNK });
    const reader = new ByteReader(stream[Symbol.asyncIterator](), truncatedError(packageFile));
    const headers = await readRpmHeaders(reader, packageFile, size);
    const opened = stream;
    return { ...headers, reader, fileSize: size, close: () => opened.destroy() };
  } catch (error) {
    stream?.destroy();
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw rpmError(RpmErrorCode.NOT_AN_RPM, packageFile, `cannot read the package file (${(error as NodeJS.ErrnoException).code})`, { cause: error });
    }
    throw error;
  }
}

/**
 * Reads the lead, the signature header (padded to 8 bytes, as rpm writes it) and the main
 * header from `reader`, checks their structure and the main header's digests.
 * `fileSize` lets a header that claims more bytes than the file holds fail before anything
 * is allocated for it.
 */
export async function readRpmHeaders(reader: ByteReader, packageFile: string, fileSize?: number): Promise<RpmHeaders> {
  const lead = parseLead(await reader.read(LEAD_SIZE, 'the lead'));
  if (!lead) throw rpmError(RpmErrorCode.NOT_AN_RPM, packageFile, 'not an RPM package (no lead magic ED AB EE DB)');
  const signature = await readHeader(reader, 'signature', packageFile, fileSize);
  const padding = (8 - (signature.bytes.length % 8)) % 8;
  await reader.skip(padding, 'the signature header padding');
  const header = await readHeader(reader, 'main', packageFile, fileSize);
  const headerDigests = verifyHeaderDigests(signature, header, packageFile);
  return { lead, signature, header, payloadOffset: reader.offset, headerDigests };
}

async function readHeader(reader: ByteReader, kind: HeaderKind, packageFile: string, fileSize?: number): Promise<RpmHeader> {
  const fail = (message: string) => rpmError(RpmErrorCode.HEADER_INVALID, packageFile, message);
  const preamble = Buffer.from(await reader.read(HEADER_PREAMBLE_SIZE, `the ${kind} header`));
  const { entries, dataLength } = parseHeaderPreamble(preamble, kind, fail);
  const bodyLength = entries * 16 + dataLength;
  if (fileSize !== undefined && reader.offset + bodyLength > fileSize) {
    // A file cut short and a header that lies about its size look the same from here.
    throw rpmError(RpmErrorCode.TRUNCATED, packageFile,
      `the ${kind} header claims ${entries} index entries and ${dataLength} data bytes, more than the ${fileSize - reader.offset} bytes left in the file`, {
        hint: 'The package is damaged or the download was cut short; fetch it again',
      });
  }
  const index = Buffer.from(await reader.read(entries * 16, `the ${kind} header`));
  checkIndexCounts(index, kind, fail);
  const store = await reader.read(dataLength, `the ${kind} header`);
  return RpmHeader.parse(Buffer.concat([preamble, index, store]), kind, fail);
}

/** The ByteReader error for a package file that ends early. */
export function truncatedError(packageFile: string): (what: string, wanted: number, got: number) => Error {
  return (what, wanted, got) =>
    rpmError(RpmErrorCode.TRUNCATED, packageFile, `the file ends inside ${what} (${got} of ${wanted} bytes)`, {
      hint: 'The download was cut short; fetch the package again',
    });
}
