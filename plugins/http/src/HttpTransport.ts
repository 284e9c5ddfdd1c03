import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { ArborError, ErrorCode, type Transport, type TransportGetOptions, type TransportResponse } from '@arbor/core';
import { RequestLimiter } from './RequestLimiter';
import { describeRequestError, isRetryable, notFound, statusError, tooLarge, truncated } from './RequestError';
import { DEFAULT_HTTP_OPTIONS, type HttpTransportOptions } from './defaultHttpOptions';


/**
 * http(s):// over undici: one Agent per transport keeps `concurrency` connections alive, and a
 * limiter keeps that many requests in flight, so a pull of 20k small objects costs 20k round
 * trips on 8 warm sockets rather than 20k TCP handshakes. Bodies are counted as they stream:
 * a server that declares or sends more than `maxBytes` is cut off before it fills memory.
 */
export class HttpTransport implements Transport {
  readonly stats = { requests: 0, bytes: 0 };
  private readonly base: URL;
  private readonly agent: Agent;
  private readonly limiter: RequestLimiter;

  constructor(baseUrl: string, private readonly options: HttpTransportOptions = DEFAULT_HTTP_OPTIONS) {
    this.base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
    this.agent = new Agent({
      connections: options.concurrency,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.stallTimeoutMs,
      bodyTimeout: options.stallTimeoutMs,
    });
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
    await this.agent.close();
  }

  private async openOnce(path: string, options: TransportGetOptions): Promise<TransportResponse> {
    const url = this.resolve(path);
    const maxBytes = options.maxBytes ?? this.options.defaultMaxBytes;
    const release = await this.limiter.acquire(options.signal);
    let response: Dispatcher.ResponseData;
    try {
      this.stats.requests++;
      response = await request(url, { dispatcher: this.agent, method: 'GET', signal: options.signal });
    } catch (error) {
      release();
      throw describeRequestError(error, { url, options: this.options });
    }
    const declared = response.headers['content-length'];
    const length = typeof declared === 'string' && /^\d+$/.test(declared) ? Number(declared) : undefined;
    let failure: ArborError | undefined;
    if (response.statusCode === 404) failure = notFound(url);
    else if (response.statusCode !== 200) failure = statusError(url, response.statusCode);
    else if (length !== undefined && length > maxBytes) failure = tooLarge(url, maxBytes, length);
    if (failure) {
      // A short error page is drained so its connection can be reused; anything else is dropped,
      // which is what keeps a 10 GB reply from being read.
      if (failure.code === ErrorCode.REMOTE_TOO_LARGE) discard(response.body);
      else await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      release();
      throw failure;
    }
    return { length, body: this.readBody(url, response.body, length, maxBytes, release) };
  }

  private async *readBody(
    url: string,
    body: Dispatcher.ResponseData['body'],
    length: number | undefined,
    maxBytes: number,
    release: () => void,
  ): AsyncGenerator<Buffer> {
    let received = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        received += chunk.length;
        this.stats.bytes += chunk.length;
        if (received > maxBytes) throw tooLarge(url, maxBytes);
        yield chunk;
      }
      if (length !== undefined && received < length) throw truncated(url, received, length);
    } catch (error) {
      throw error instanceof ArborError ? error : describeRequestError(error, { url, options: this.options, received, length });
    } finally {
      discard(body);
      release();
    }
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

  /** Paths come from object IDs and ref names; refuse anything that could climb out of the base URL. */
  private resolve(path: string): string {
    if (path.startsWith('/') || path.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      throw new ArborError(ErrorCode.REMOTE_INVALID, `Refusing to fetch "${path}": not a plain relative path`);
    }
    return new URL(path, this.base).href;
  }
}

/** Destroys a body we stopped reading; its "aborted" error is expected, so it is swallowed. */
function discard(body: Dispatcher.ResponseData['body']): void {
  if (body.destroyed) return;
  body.on('error', () => undefined);
  body.destroy();
}
