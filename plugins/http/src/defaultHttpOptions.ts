export interface HttpTransportOptions {
  /** Requests in flight at once, over as many keep-alive connections. */
  concurrency: number;
  connectTimeoutMs: number;
  /** How long the server may send nothing: before the headers, or between two body chunks. */
  stallTimeoutMs: number;
  /** Extra attempts after a connection error, a stall, a truncated body or a 5xx. */
  retries: number;
  /** The first retry waits this long; each later one waits twice as long (capped at 5 s). */
  retryDelayMs: number;
  /** The body limit when the caller gives none. */
  defaultMaxBytes: number;
}

/**
 * The transport's defaults, apart from the transport so the plugin's option schema can use them
 * without loading it. 8 in flight is the low end of what docs/performance.md measured as best
 * (8–16 on keep-alive); 30 s of silence is a stall on any link a pull can finish over.
 */
export const DEFAULT_HTTP_OPTIONS: HttpTransportOptions = {
  concurrency: 8,
  connectTimeoutMs: 10_000,
  stallTimeoutMs: 30_000,
  retries: 3,
  retryDelayMs: 200,
  defaultMaxBytes: 4 * 1024 ** 3,
};
