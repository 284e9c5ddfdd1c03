import fs from 'node:fs';
import path from 'node:path';
import { encodeFileHeader } from '@arbor/core/store';
import { TestServer } from '../replication/TestServer';

/** How the server treats one object path; every other path is served faithfully. */
export type Forgery =
  | { kind: 'body'; bytes: Buffer }
  /** The real body, one byte every `everyMs`. */
  | { kind: 'drip'; everyMs: number }
  /** The real body up to `bytes`, then silence with the connection open. */
  | { kind: 'hold'; bytes: number };

/**
 * A static server for an archive repo that forges the answer for chosen paths: a body of its
 * own (a decompression bomb under a valid-looking header), a drip feed, or a body that stops
 * half way. Its summary and size index are the real, signed ones, as a man in the middle of a
 * `--verify-key` remote would serve them.
 */
export class ForgingServer extends TestServer {
  readonly forgeries = new Map<string, Forgery>();
  /** Paths whose forgery was served. */
  readonly hits: string[] = [];

  constructor(readonly root: string) {
    super((request, response) => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const file = path.join(this.root, ...pathname.split('/').filter((part) => part && part !== '..'));
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch {
        return void response.writeHead(404, { 'content-length': '0' }).end();
      }
      const forgery = this.forgeries.get(pathname.replace(/^\//, ''));
      if (!forgery) return void response.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
      this.hits.push(pathname);
      switch (forgery.kind) {
        case 'body':
          return void response.writeHead(200, { 'content-length': String(forgery.bytes.length) }).end(forgery.bytes);
        case 'hold':
          response.writeHead(200, { 'content-length': String(bytes.length) });
          return void response.write(bytes.subarray(0, forgery.bytes));
        case 'drip': {
          response.writeHead(200, { 'content-length': String(bytes.length) });
          let sent = 0;
          const timer = setInterval(() => {
            if (sent >= bytes.length || response.destroyed) return void clearInterval(timer);
            response.write(bytes.subarray(sent, ++sent));
          }, forgery.everyMs);
          response.on('close', () => clearInterval(timer));
          return;
        }
      }
    });
  }
}

/**
 * A zstd frame of RLE blocks (RFC 8878 §3.1.1): a 6-byte frame header with a 128 KiB window and
 * no content size, then 4-byte blocks that each expand to 128 KiB of `byte`. `bytes` of frame
 * decompress to about 32,768 times as much.
 */
export function zstdRleBomb(bytes: number, byte = 0x41): Buffer {
  const blocks = Math.floor((bytes - 6) / 4);
  const out = Buffer.alloc(6 + blocks * 4);
  out.writeUInt32LE(0xfd2fb528, 0);
  out[4] = 0x00; // no content size, no checksum, not single-segment
  out[5] = (17 - 10) << 3; // window 2^17
  const blockSize = 128 * 1024;
  for (let i = 0; i < blocks; i++) {
    const last = i === blocks - 1 ? 1 : 0;
    const header = last | (1 << 1) | (blockSize << 3);
    const at = 6 + i * 4;
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out[at + 3] = byte;
  }
  return out;
}

/** An archive file object body (`header || codec || payload`) whose header claims `claimedSize`. */
export function forgedFileObject(claimedSize: number, payload: Buffer, codec = 1): Buffer {
  const header = encodeFileHeader({ mode: 0o100644, uid: 0, gid: 0, size: claimedSize, target: '', xattrs: [] });
  return Buffer.concat([header, Buffer.of(codec), payload]);
}
