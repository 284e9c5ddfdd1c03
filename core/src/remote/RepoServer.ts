import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  limits?: Partial<ServeLimits>;
}

/** What one client may hold of the server; `arbor serve` flags set each. */
export interface ServeLimits {
  /** Open connections at once. At the cap, the longest-idle connection makes room, else the newcomer is refused. */
  maxConnections: number;
  /** How long a client may take to send a request's head, however it drips it. */
  headersTimeoutMs: number;
  /** How long a connection may make no progress: no request, or a response the client does not read. */
  idleTimeoutMs: number;
  /** The least a client must read per second of a response, averaged over `throughputWindowMs` (0: off). */
  minBytesPerSecond: number;
  throughputWindowMs: number;
}

/**
 * 512 connections are ~64 pulling clients at the transport's 8 each; 10 s for a request head is
 * ample on any real link (slowloris attacks live on the default 60 s); a pull reads at far more
 * than 1 KiB/s, and one that cannot is better served by a retry than by a held descriptor.
 */
export const DEFAULT_SERVE_LIMITS: ServeLimits = {
  maxConnections: 512,
  headersTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  minBytesPerSecond: 1024,
  throughputWindowMs: 30_000,
};

interface Connection {
  /** A request is being answered on it. */
  busy: boolean;
  /** When it last became idle (ms), for choosing whom to close at the cap. */
  idleSince: number;
  /** The deadline of the first request's head. */
  firstHead?: NodeJS.Timeout;
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
 * detect truncation); paths are checked segment by segment, and a path that passes through any
 * symlink is not served at all (an archive repo holds none), so neither `..` nor a link planted
 * in objects/ can reach a file outside the layout. Clients are bounded (ServeLimits): a
 * connection cap that closes idle connections first, a deadline for request heads, an idle
 * timeout, and a minimum read rate, so slow clients can neither lock others out nor hold
 * descriptors for long.
 */
export class RepoServer {
  private readonly server: http.Server;
  private readonly limits: ServeLimits;
  private readonly connections = new Map<Socket, Connection>();
  private root = '';

  constructor(private readonly options: RepoServerOptions) {
    const limits = (this.limits = { ...DEFAULT_SERVE_LIMITS, ...options.limits });
    this.server = http.createServer({
      // Node checks head and request deadlines on this period (30 s by default, longer than ours).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.headersTimeoutMs / 2)),
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.headersTimeoutMs * 2,
      // Pull keeps connections open between its many small requests.
      keepAliveTimeout: limits.idleTimeoutMs,
    }, (request, response) => {
      const connection = this.connections.get(request.socket);
      if (connection) {
        connection.busy = true;
        clearTimeout(connection.firstHead);
      }
      response.once('close', () => {
        if (connection) Object.assign(connection, { busy: false, idleSince: Date.now() });
      });
      this.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500, { 'content-length': '0' });
        response.destroy();
      });
    });
    // Node's own inactivity timeout, which it applies to a socket while a request is answered.
    this.server.timeout = limits.idleTimeoutMs;
    this.server.on('connection', (socket: Socket) => this.admit(socket));
  }

  /** Counts a new connection against the cap and arms its timers. */
  private admit(socket: Socket): void {
    const { maxConnections, headersTimeoutMs, idleTimeoutMs } = this.limits;
    if (this.connections.size >= maxConnections) {
      let oldest: [Socket, Connection] | undefined;
      for (const entry of this.connections) if (!entry[1].busy && (!oldest || entry[1].idleSince < oldest[1].idleSince)) oldest = entry;
      if (!oldest) return void socket.destroy();
      oldest[0].destroy();
      this.connections.delete(oldest[0]);
    }
    // The first request's head must arrive in time, however slowly it trickles; later ones are
    // held to the same by Node's own check.
    const firstHead = setTimeout(() => socket.destroy(), headersTimeoutMs).unref();
    this.connections.set(socket, { busy: false, idleSince: Date.now(), firstHead });
    socket.once('close', () => {
      clearTimeout(firstHead);
      this.connections.delete(socket);
    });
    socket.setTimeout(idleTimeoutMs, () => socket.destroy());
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

  /** Connections open now (tests and diagnostics). */
  get openConnections(): number {
    return this.connections.size;
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
      // pipeline reads only as fast as the client takes the bytes (backpressure).
      const watchdog = this.watchThroughput(response);
      try {
        await pipeline(handle.createReadStream({ start: 0, end: stat.size - 1, autoClose: false, highWaterMark: 256 * 1024 }), response);
      } finally {
        clearInterval(watchdog);
      }
    } finally {
      await handle.close();
    }
  }

  /** Cuts off a client that reads a response slower than the minimum rate; its file handle then closes. */
  private watchThroughput(response: http.ServerResponse): NodeJS.Timeout | undefined {
    const { minBytesPerSecond, throughputWindowMs } = this.limits;
    if (minBytesPerSecond === 0) return undefined;
    const socket = response.socket!;
    let last = socket.bytesWritten - socket.writableLength;
    return setInterval(() => {
      const written = socket.bytesWritten - socket.writableLength;
      if (written - last < (minBytesPerSecond * throughputWindowMs) / 1000) response.destroy();
      last = written;
    }, throughputWindowMs).unref();
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
    // Anything but the plain path means a symlink on the way: not part of an archive repo's layout.
    if (real !== candidate) return undefined;
    // Objects and size indexes are keyed by content or commit ID and never change; signatures can be added.
    return { path: real, immutable: top === 'sizes' || (top === 'objects' && !real.endsWith('.commitsig')) };
  }
}
