import http, { type ClientRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { urlToHttpOptions } from 'node:url';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArborError, ErrorCode, type Transport, type TransportGetOptions, type TransportResponse } from '@arbor/core';
import { RequestLimiter } from './RequestLimiter';
import { RequestTimeout, describeRequestError, isRetryable, notFound, statusError, tooLarge, truncated } from './RequestError';
import { DEFAULT_HTTP_OPTIONS, type HttpTransportOptions } from './defaultHttpOptions';

/**
 * How long a pooled connection may sit idle. The agent can't see a server's Keep-Alive hint,
 * so this stays under the 5 s that Node's and Apache's servers keep a connection.
 */
const IDLE_TIMEOUT_MS = 4_000;
/** A path that needs no percent-encoding: what object paths and most ref names are. */
const PLAIN_PATH = /^[A-Za-z0-9._~/-]+$/;
/** An error page up to this size is read to its end so its connection can be reused. */
const DRAIN_LIMIT = 64 * 1024;

type Client = Pick<typeof http, 'Agent' | 'get'>;

/**
 * http(s):// over node:http: one keep-alive Agent per transport holds `concurrency` connections,
 * and a limiter keeps that many requests in flight, so a pull of 20k small objects costs 20k
 * round trips on 8 warm sockets rather than 20k TCP handshakes. Bodies are counted as they
 * stream: a server that declares or sends more than `maxBytes` is cut off before it fills memory.
 */
export class HttpTransport implements Transport {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly base: URL;
  private readonly client: Client;
  private readonly agent: http.Agent;
  private readonly requestOptions: http.RequestOptions;
  private readonly limiter: RequestLimiter;

  constructor(baseUrl: string, private readonly options: HttpTransportOptions = DEFAULT_HTTP_OPTIONS) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    const secure = this.base.protocol === 'https:';
    // node:https (and tls) load only for an https remote: they cost ~1.5 ms of start-up.
    this.client = secure ? (require('node:https') as typeof import('node:https')) : http;
    this.agent = createAgent(this.client.Agent, options, secure ? 'secureConnect' : 'connect');
    // Parsed once: each request adds only its path (a URL per request cost ~10 µs to build and read).
    const { protocol, hostname, port, auth } = urlToHttpOptions(this.base);
    this.requestOptions = { protocol, hostname, port, auth, agent: this.agent };
    this.limiter = new RequestLimiter(options.concurrency);
  }

  async get(path: string, options: TransportGetOptions = {}): Promise<Buffer> {
    return this.withRetries(options.signal, async () => {
      const response = await this.openOnce(path, options);
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk);
      return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    });
  }

  /** Retries cover getting the response; once the body is handed out, a failure is the caller's. */
  async open(path: string, options: TransportGetOptions = {}): Promise<TransportResponse> {
    return this.withRetries(options.signal, () => this.openOnce(path, options));
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private async openOnce(path: string, options: TransportGetOptions): Promise<TransportResponse> {
    const target = this.resolve(path);
    const url = `${this.base.origin}${target}`;
    const maxBytes = options.maxBytes ?? this.options.defaultMaxBytes;
    const release = await this.limiter.acquire(options.signal);
    if (options.signal?.aborted) {
      release();
      throw describeRequestError(options.signal.reason, { url, options: this.options, aborted: true });
    }
    this.stats.requests++;
    const request = this.client.get({ ...this.requestOptions, path: target });
    return new Exchange(request, url, maxBytes, options.signal, release, this.stats, this.options).start();
  }

  private async withRetries<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (tries >= this.options.retries || !isRetryable(error) || signal?.aborted) throw error;
        const delay = Math.min(5_000, this.options.retryDelayMs * 2 ** tries) * (0.8 + Math.random() * 0.4);
        await sleep(delay, undefined, { signal });
      }
    }
  }

  /**
   * The request target for `path` under the base URL. Paths come from object IDs and ref names;
   * anything that could climb out of the base is refused, and a character a URL path may not
   * hold as is gets percent-encoded.
   */
  private resolve(path: string): string {
    if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new ArborError(ErrorCode.REMOTE_INVALID, `Refusing to fetch "${path}": not a plain relative path`);
    }
    return this.base.pathname + (PLAIN_PATH.test(path) ? path : path.split('/').map(encodeURIComponent).join('/'));
  }
}

/**
 * One GET, from the request to the end of its body. It is the body's iterator, so the limiter
 * slot goes back exactly once however the consumer stops (even by return() before reading), and
 * the signal's abort listener (`handleEvent`), which spares a closure per request.
 */
class Exchange implements AsyncIterableIterator<Buffer> {
  private response?: IncomingMessage;
  private length?: number;
  private received = 0;
  private listening = false;
  private waiting?: () => void;
  private ended = false;
  /** The response-head deadline, then the throughput check of the body. */
  private watchdog?: NodeJS.Timeout;
  private windowStart = 0;

  constructor(
    private readonly request: ClientRequest,
    private readonly url: string,
    private readonly maxBytes: number,
    private readonly signal: AbortSignal | undefined,
    private readonly release: () => void,
    private readonly stats: { bytes: number },
    private readonly options: HttpTransportOptions,
  ) {
    signal?.addEventListener('abort', this);
  }

  /** Waits for the response head and checks it; the body is then read through this iterator. */
  async start(): Promise<TransportResponse> {
    const { request, url } = this;
    this.watchdog = setTimeout(() => request.destroy(new RequestTimeout('head')), this.options.responseTimeoutMs);
    let response: IncomingMessage;
    try {
      // `reject` stays the request's error listener for good: a socket error after the response
      // lands there too, where it is a no-op, and the body sees it on its own.
      response = await new Promise<IncomingMessage>((resolve, reject) => void request.on('response', resolve).on('error', reject));
    } catch (error) {
      this.end();
      throw describeRequestError(error, { url, options: this.options, aborted: this.signal?.aborted });
    }
    this.response = response;
    const declared = response.headers['content-length'];
    const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    let failure: ArborError | undefined;
    if (response.statusCode === 404) failure = notFound(url);
    else if (response.statusCode !== 200) failure = statusError(url, response.statusCode ?? 0);
    else if (length !== undefined && length > this.maxBytes) failure = tooLarge(url, this.maxBytes, length);
    if (failure) {
      // A short error page is drained so its connection can be reused; anything else is dropped
      // with its connection, which is what keeps a 10 GB reply from being read.
      if (failure.code !== ErrorCode.REMOTE_TOO_LARGE && length !== undefined && length <= DRAIN_LIMIT) response.resume();
      else response.destroy();
      this.end();
      throw failure;
    }
    this.length = length;
    clearTimeout(this.watchdog);
    if (this.options.minBytesPerSecond > 0) this.watchdog = setTimeout(() => this.checkThroughput(), this.options.throughputWindowMs);
    return { length, body: this };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Buffer>> {
    if (this.ended) return { done: true, value: undefined };
    const response = this.response!;
    try {
      for (;;) {
        const chunk = response.destroyed ? null : (response.read() as Buffer | null);
        if (chunk !== null) {
          this.received += chunk.length;
          this.stats.bytes += chunk.length;
          if (this.received > this.maxBytes) throw tooLarge(this.url, this.maxBytes);
          return { done: false, value: chunk };
        }
        if (response.errored) throw response.errored;
        if (response.complete) {
          if (this.length !== undefined && this.received < this.length) throw truncated(this.url, this.received, this.length);
          this.end();
          return { done: true, value: undefined };
        }
        if (response.destroyed) throw new Error('response destroyed');
        await this.more(response);
      }
    } catch (error) {
      this.abandon();
      if (error instanceof ArborError) throw error;
      // A connection that dies mid-body (its stall timer fired, a reset) fails the response with
      // a bare "aborted"; the socket's own error says why.
      const cause = response.socket?.errored ?? error;
      throw describeRequestError(cause, { url: this.url, options: this.options, aborted: this.signal?.aborted, received: this.received, length: this.length });
    }
  }

  async return(): Promise<IteratorResult<Buffer>> {
    this.abandon();
    return { done: true, value: undefined };
  }

  /** The signal aborted: fail whichever half is in progress. */
  handleEvent(): void {
    (this.response ?? this.request).destroy(this.signal!.reason);
  }

  /**
   * Runs once a window while the body is read: a server that sent less than the minimum rate in
   * the last window is cut off. Bytes already buffered but not read yet are the reader's delay,
   * not the server's, so the window then starts again.
   */
  private checkThroughput(): void {
    const response = this.response!;
    const { minBytesPerSecond, throughputWindowMs } = this.options;
    if (this.ended || response.destroyed) return;
    const got = this.received - this.windowStart;
    if (response.readableLength === 0 && got < (minBytesPerSecond * throughputWindowMs) / 1000) {
      response.destroy(new RequestTimeout('slow'));
      return;
    }
    this.windowStart = this.received;
    this.watchdog = setTimeout(() => this.checkThroughput(), throughputWindowMs);
  }

  /**
   * Waits until the response has more to read, or ended, or died. A small body is usually all
   * buffered by the time it is read, so most responses never get these listeners.
   */
  private more(response: IncomingMessage): Promise<void> {
    if (!this.listening) {
      this.listening = true;
      const wake = () => this.waiting?.();
      response.on('readable', wake).on('close', wake);
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Destroys a body nobody will read, with its connection, so a half-read response is never reused. */
  private abandon(): void {
    if (this.ended) return;
    if (!this.response!.readableEnded) this.response!.destroy();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.watchdog);
    this.signal?.removeEventListener('abort', this);
    this.release();
  }
}

/**
 * A keep-alive agent on `Base` (http.Agent or https.Agent) whose sockets each carry the timer of
 * the phase they are in: `connectTimeoutMs` until connected, `stallTimeoutMs` while serving a
 * request (reset by every byte), IDLE_TIMEOUT_MS in the pool. A timer that fires destroys its
 * socket with a RequestTimeout, so the request sees why and the socket is never reused.
 */
function createAgent(Base: typeof http.Agent, options: HttpTransportOptions, connectedEvent: 'connect' | 'secureConnect'): http.Agent {
  const { connectTimeoutMs, stallTimeoutMs } = options;
  class TimedAgent extends Base {
    override createConnection(args: ClientRequestArgs, callback?: (error: Error | null, socket: Duplex) => void): Socket {
      const socket = super.createConnection(args, callback) as Socket;
      let connected = false;
      socket.setTimeout(connectTimeoutMs);
      socket.on('timeout', () => socket.destroy(new RequestTimeout(connected ? 'stall' : 'connect')));
      socket.once(connectedEvent, () => {
        connected = true;
        socket.setTimeout(stallTimeoutMs);
      });
      return socket;
    }

    override reuseSocket(socket: Duplex, request: ClientRequest): void {
      super.reuseSocket(socket, request);
      (socket as Socket).setTimeout(stallTimeoutMs);
    }

    override keepSocketAlive(socket: Duplex): boolean {
      // Node's default (typed void) returns false for a server whose keep-alive is too short to reuse.
      if ((super.keepSocketAlive(socket) as unknown) === false) return false;
      (socket as Socket).setTimeout(IDLE_TIMEOUT_MS);
      return true;
    }
  }
  return new TimedAgent({ keepAlive: true, maxSockets: options.concurrency });
}
