import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { setXattr } from '../fs/xattr';
import { Codec, ZstdStreamDecompressor } from '../store/ArchiveCodec';
import { blake3Backend } from '../store/Blake3';
import { decodeFileHeader, isSymlinkMode, PERMISSION_BITS, type FileMeta } from '../store/FileHeader';
import { bareOwner, writeFileObject } from '../store/FileObjectWriter';
import { refuseWorldWritable, type IngestRequest } from './ingestFileObject';
import type { TempBudget } from './TempBudget';

/** A header with every xattr at its 64 KiB maximum still fits well inside this. */
const MAX_HEADER_BYTES = 8 << 20;
const READ_CHUNK = 1 << 20;

export interface StreamLimits {
  /** The most content one object may claim; a larger claim is refused before any work. */
  maxObjectBytes: number;
  /** Counts every byte written into staging. */
  budget?: TempBudget;
}

/**
 * The path for file objects too large to hold in memory. Nothing a server claims is trusted
 * before the object's hash matches its ID, so the first pass writes only the bytes that really
 * arrived (the body as sent) and decompresses them into the hasher alone, in 1 MiB chunks,
 * stopping at the size the header claims: a zstd bomb costs CPU, bounded by `maxObjectBytes`,
 * never disk or memory. A verified archive body is renamed into staging as it is; for bare and
 * user repos a second pass decompresses the verified body into the object file, which is then
 * renamed (never copied) into staging. Raw content needs no second pass: it is written to the
 * object file as it arrives, since it can be no longer than what was received.
 * `first` holds chunks already read from `rest` by the caller. Returns the bytes received.
 */
export async function streamFileObject(
  request: Omit<IngestRequest, 'bytes'>,
  first: Buffer[],
  rest: AsyncIterator<Buffer>,
  limits: StreamLimits,
): Promise<number> {
  const what = `Object ${request.id}.filez from ${request.source}`;
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
  refuseWorldWritable(fileMeta, request.repoMode, what);
  if (fileMeta.size > limits.maxObjectBytes) {
    throw new ArborError(ErrorCode.PULL_OBJECT_TOO_LARGE, `${what} claims ${fileMeta.size} bytes of content, more than the ${limits.maxObjectBytes} allowed for one object`, {
      hint: 'A real file that large needs --max-object-size; otherwise the server is hostile',
    });
  }
  const header = Buffer.from(head.subarray(0, headerLength));
  const codec = head[headerLength]!;
  if (codec !== Codec.zstd && codec !== Codec.raw) throw corrupt(`${what} has unknown codec ${codec}`);
  const archive = request.repoMode === 'archive';
  const raw = codec === Codec.raw;
  // What pass one writes: the body as sent (archive, or zstd to decompress later), or raw content.
  const bodyPath = archive ? request.temp : raw ? contentPath(request) : `${request.temp}.body`;
  const written: string[] = [bodyPath];
  const budget = limits.budget;
  let charged = 0;
  const out = fs.openSync(bodyPath, 'wx', 0o600);
  let open = true;
  try {
    const hasher = blake3Backend().create();
    hasher.update(header);
    let content = 0;
    const decoder = raw ? undefined : new ZstdStreamDecompressor(fileMeta.size, what, (chunk) => hasher.update(chunk));
    let received = 0;
    const take = (chunk: Buffer, isHead: boolean): void => {
      received += chunk.length;
      const payload = isHead ? chunk.subarray(headerLength + 1) : chunk;
      const toDisk = raw && !archive ? payload : chunk;
      budget?.add(toDisk.length);
      charged += toDisk.length;
      if (raw) {
        content += payload.length;
        // The first byte past the claimed size already fails; nothing more is read.
        if (content > fileMeta.size) throw corrupt(`${what} has more content than the ${fileMeta.size} bytes its header declares`);
        hasher.update(payload);
      } else {
        decoder!.push(payload);
      }
      writeAll(out, toDisk);
    };
    take(head, true);
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      take(next.value, false);
    }
    decoder?.end();
    if (raw && content !== fileMeta.size) throw corrupt(`${what} has ${content} content bytes, its header says ${fileMeta.size}`);
    const actual = hasher.digest().toString('hex');
    if (actual !== request.id) {
      throw new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, `${what} does not match its ID: its bytes hash to ${actual}`, {
        hint: 'It was damaged or forged at the source; nothing of it was stored',
      });
    }
    fs.closeSync(out);
    open = false;
    if (!archive) {
      if (!raw) {
        written.push(contentPath(request));
        budget?.add(fileMeta.size);
        charged += fileMeta.size;
        decompressVerified(bodyPath, headerLength + 1, contentPath(request), fileMeta.size, what);
        fs.rmSync(bodyPath, { force: true });
        budget?.release(received);
        charged -= received;
      }
      finishObjectFile(request, fileMeta, header);
    }
    fs.renameSync(request.temp, request.dest);
    return received;
  } catch (error) {
    if (open) fs.closeSync(out);
    for (const file of [...written, request.temp]) fs.rmSync(file, { force: true });
    budget?.release(charged);
    throw error instanceof ArborError && error.code.startsWith('ARBOR_STORE_') ? corrupt(error.message) : error;
  }
}

/** Where the content goes: the object file itself for bare (renamed, not copied), a side file for user. */
function contentPath(request: Omit<IngestRequest, 'bytes'>): string {
  return request.repoMode === 'bare' ? request.temp : `${request.temp}.content`;
}

/** Pass two: the verified body's payload, decompressed into `dest` chunk by chunk. */
function decompressVerified(body: string, payloadOffset: number, dest: string, size: number, what: string): void {
  const input = fs.openSync(body, 'r');
  const output = fs.openSync(dest, 'wx', 0o600);
  try {
    const decoder = new ZstdStreamDecompressor(size, what, (chunk) => writeAll(output, chunk));
    const buffer = Buffer.allocUnsafe(READ_CHUNK);
    for (let position = payloadOffset; ;) {
      const read = fs.readSync(input, buffer, 0, READ_CHUNK, position);
      if (read === 0) break;
      position += read;
      decoder.push(buffer.subarray(0, read));
    }
    decoder.end();
  } finally {
    fs.closeSync(input);
    fs.closeSync(output);
  }
}

/** Gives the content file its object metadata: in place for bare, through the store's writer for user. */
function finishObjectFile(request: Omit<IngestRequest, 'bytes'>, meta: FileMeta, header: Buffer): void {
  if (request.repoMode === 'user') {
    const content = contentPath(request);
    try {
      writeFileObject(request.temp, 'user', meta, header, { path: content });
    } finally {
      fs.rmSync(content, { force: true });
    }
    return;
  }
  const fd = fs.openSync(request.temp, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  try {
    const owner = bareOwner(meta);
    // chown clears setuid and setgid bits, so the mode comes after it.
    if (owner.uid !== -1) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.fchmodSync(fd, meta.mode & PERMISSION_BITS);
    for (const [name, value] of meta.xattrs) setXattr(request.temp, name, value);
    fs.futimesSync(fd, 0, 0);
  } finally {
    fs.closeSync(fd);
  }
}

function corrupt(message: string): ArborError {
  return new ArborError(ErrorCode.PULL_OBJECT_CORRUPT, message, { hint: 'It was damaged or forged at the source; nothing of it was stored' });
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}
