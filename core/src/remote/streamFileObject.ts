import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { Codec, ZstdStreamDecompressor } from '../store/ArchiveCodec';
import { blake3Backend } from '../store/Blake3';
import { decodeFileHeader, isSymlinkMode, type FileMeta } from '../store/FileHeader';
import { writeFileObject } from '../store/FileObjectWriter';
import type { IngestRequest } from './ingestFileObject';

/** A header with every xattr at its 64 KiB maximum still fits well inside this. */
const MAX_HEADER_BYTES = 8 << 20;

/**
 * The path for file objects too large to hold in memory: the body is decompressed and hashed
 * chunk by chunk as it arrives, and written to a temp file (as-is for an archive repo, the
 * content for bare and user). Only a body whose hash matches the ID is renamed into staging.
 * `first` holds chunks already read from `rest` by the caller.
 */
export async function streamFileObject(
  request: Omit<IngestRequest, 'bytes'>,
  first: Buffer[],
  rest: AsyncIterator<Buffer>,
): Promise<void> {
  const what = `Object ${request.id}.filez from ${request.source}`;
  const contentTemp = `${request.temp}.content`;
  let head = Buffer.concat(first);
  let meta: FileMeta | undefined;
  let headerLength = 0;
  // The header's length is only known once it decodes; read until it does.
  for (;;) {
    try {
      ({ meta, headerLength } = decodeFileHeader(head, what));
      if (head.length > headerLength) break;
    } catch (error) {
      if (!/truncated/.test((error as Error).message) || head.length > MAX_HEADER_BYTES) throw corrupt((error as Error).message);
    }
    const next = await rest.next();
    if (next.done) throw corrupt(`${what} ends inside its header`);
    head = Buffer.concat([head, next.value]);
  }
  const fileMeta = meta!;
  if (isSymlinkMode(fileMeta.mode)) throw corrupt(`${what} is a symlink with content`);
  const header = Buffer.from(head.subarray(0, headerLength));
  const codec = head[headerLength]!;
  const hasher = blake3Backend().create();
  hasher.update(header);
  const archive = request.repoMode === 'archive';
  const out = fs.openSync(archive ? request.temp : contentTemp, 'wx', 0o600);
  let received = 0;
  const emitContent = (chunk: Buffer): void => {
    hasher.update(chunk);
    if (!archive) writeAll(out, chunk);
  };
  const decoder = codec === Codec.zstd
    ? new ZstdStreamDecompressor(fileMeta.size, what, emitContent)
    : codec === Codec.raw
      ? { push: (chunk: Buffer) => { received += chunk.length; emitContent(chunk); }, end() {} }
      : undefined;
  try {
    if (!decoder) throw corrupt(`${what} has unknown codec ${codec}`);
    if (archive) writeAll(out, head);
    decoder.push(head.subarray(headerLength + 1));
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      if (archive) writeAll(out, next.value);
      decoder.push(next.value);
    }
    decoder.end();
    if (codec === Codec.raw && received !== fileMeta.size) throw corrupt(`${what} has ${received} content bytes, its header says ${fileMeta.size}`);
    const actual = hasher.digest().toString('hex');
    if (actual !== request.id) {
      throw new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, `${what} does not match its ID: its bytes hash to ${actual}`, {
        hint: 'The server sent damaged or forged data; nothing of it was stored',
      });
    }
    fs.closeSync(out);
    if (!archive) writeFileObject(request.temp, request.repoMode, fileMeta, header, { path: contentTemp });
    fs.renameSync(request.temp, request.dest);
  } catch (error) {
    try { fs.closeSync(out); } catch { /* already closed */ }
    fs.rmSync(request.temp, { force: true });
    throw error instanceof ArborError && error.code.startsWith('ARBOR_STORE_') ? corrupt(error.message) : error;
  } finally {
    fs.rmSync(contentTemp, { force: true });
  }
}

function corrupt(message: string): ArborError {
  return new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, message, { hint: 'The server sent damaged or forged data; nothing of it was stored' });
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}
