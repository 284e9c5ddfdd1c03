import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

export interface RepoServerOptions {
  /** The archive repo's directory. */
  repo: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

/**
 * What a client may read: the layout docs/format.md gives an archive repo, and nothing else
 * (not remotes.d, not temp or lock files). Objects never change once written, so they may be
 * cached forever; refs and the summary move and must be revalidated.
 */
const SERVED_FILES = new Set(['config', 'summary', 'summary.sig']);
const SERVED_DIRS = new Set(['objects', 'refs', 'sizes']);

/**
 * `arbor serve`: a static, read-only HTTP server for an archive repo, the same contract as any
 * nginx serving the folder. Every response carries an exact Content-Length (clients use it to
 * detect truncation); paths are checked segment by segment and by realpath, so neither `..`
 * nor a symlink can reach outside the repo.
 */
export class RepoServer {
  private readonly server: http.Server;
  private root = '';

  constructor(private readonly options: RepoServerOptions) {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-length': '0' });
        response.destroy();
      });
    });
    // Pull keeps connections open between its many small requests.
    this.server.keepAliveTimeout = 30_000;
  }

  /** Starts listening; resolves with the URL clients use. */
  async listen(): Promise<string> {
    this.root = await fs.promises.realpath(this.options.repo);
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        reject(new ArborError(ErrorCode.SERVE_LISTEN_FAILED, `Cannot listen on ${host}:${this.options.port ?? 0}: ${error.code ?? error.message}`, {
          hint: error.code === 'EADDRINUSE' ? 'Another process has that port; pick another with --port, or --port 0 for any free one' : undefined,
        }));
      };
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    return this.url;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return void response.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' }).end();
    }
    const file = await this.locate(request.url ?? '/');
    if (!file) return void response.writeHead(404, { 'content-length': '0' }).end();
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return void response.writeHead(404, { 'content-length': '0' }).end();
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return void response.writeHead(404, { 'content-length': '0' }).end();
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(stat.size),
        'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'last-modified': stat.mtime.toUTCString(),
      });
      if (request.method === 'HEAD' || stat.size === 0) return void response.end();
      // Exactly `size` bytes: a file growing under us must not overrun the declared length.
      await pipeline(handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: false }), response);
    } finally {
      await handle.close();
    }
  }

  /** Maps a request path to a file in the repo, or undefined for anything outside the layout. */
  private async locate(rawUrl: string): Promise<{ path: string; immutable: boolean } | undefined> {
    let segments: string[];
    try {
      const pathname = new URL(rawUrl, 'http://repo').pathname;
      segments = pathname.split('/').slice(1).map((segment) => decodeURIComponent(segment));
    } catch {
      return undefined;
    }
    // The URL parser already folds `..`; checking the decoded segments also catches `%2e%2e` and `%2f`.
    if (segments.some((segment) => segment === '' || segment === '.' || segment === '..' || /[/\\\0]/.test(segment))) return undefined;
    const [top] = segments;
    if (!(segments.length === 1 ? SERVED_FILES.has(top) : SERVED_DIRS.has(top))) return undefined;
    const candidate = path.join(this.root, ...segments);
    let real: string;
    try {
      real = await fs.promises.realpath(candidate);
    } catch {
      return undefined;
    }
    if (!real.startsWith(this.root + path.sep)) return undefined;
    // Objects and size indexes are keyed by content or commit ID and never change; signatures can be added.
    return { path: real, immutable: top === 'sizes' || (top === 'objects' && !real.endsWith('.commitsig')) };
  }
}
