import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArborError, ErrorCode, type Transport, type TransportGetOptions, type TransportResponse } from '@arbor/core';

/** Bodies are read in chunks of this size, so `maxBytes` is enforced as the file is read. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * file:// remotes: a local mirror (a USB disk, an NFS mount) read with the same contract as
 * HTTP. The file may change under us, so the size limit is checked on the bytes actually
 * read, not only on the size `fstat` reports.
 */
export class FileTransport implements Transport {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly root: string;

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'file:') throw new ArborError(ErrorCode.REMOTE_INVALID, `${baseUrl} is not a file:// URL`);
    this.root = fileURLToPath(url);
  }

  async get(relative: string, options: TransportGetOptions = {}): Promise<Buffer> {
    const response = await this.open(relative, options);
    const chunks: Buffer[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  async open(relative: string, options: TransportGetOptions = {}): Promise<TransportResponse> {
    const file = this.resolve(relative);
    options.signal?.throwIfAborted();
    this.stats.requests++;
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new ArborError(ErrorCode.REMOTE_NOT_FOUND, `${file}: not found`);
      }
      throw new ArborError(ErrorCode.REMOTE_UNREACHABLE, `${file}: ${(error as Error).message}`, { cause: error });
    }
    const maxBytes = options.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const { size } = await handle.stat();
    if (size > maxBytes) {
      await handle.close();
      throw new ArborError(ErrorCode.REMOTE_TOO_LARGE, `${file}: too large (limit ${maxBytes} bytes, file has ${size})`);
    }
    return { length: size, body: this.read(handle, file, maxBytes, options.signal) };
  }

  async close(): Promise<void> {}

  private async *read(handle: fs.promises.FileHandle, file: string, maxBytes: number, signal?: AbortSignal): AsyncGenerator<Buffer> {
    let received = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, received);
        if (bytesRead === 0) return;
        received += bytesRead;
        this.stats.bytes += bytesRead;
        if (received > maxBytes) {
          throw new ArborError(ErrorCode.REMOTE_TOO_LARGE, `${file}: too large (limit ${maxBytes} bytes)`);
        }
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  /** Relative paths only, and never out of the mirror's directory. */
  private resolve(relative: string): string {
    if (path.isAbsolute(relative) || relative.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new ArborError(ErrorCode.REMOTE_INVALID, `Refusing to read "${relative}": not a plain relative path`);
    }
    return path.join(this.root, relative);
  }
}
