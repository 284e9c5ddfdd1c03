import { ArborError, ErrorCode } from '@arbor/core';
import type { HttpTransportOptions } from './defaultHttpOptions';

/**
 * Maps what node:http and the server did into one-line ArborErrors that name the URL, and marks
 * which failures are worth another attempt: connection trouble, stalls, truncated bodies and
 * 5xx are often transient; 404, other statuses and oversized bodies are answers, not accidents.
 */
const retryable = new WeakSet<object>();

export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && retryable.has(error);
}

function transient(error: ArborError): ArborError {
  retryable.add(error);
  return error;
}

/** What a socket's timer destroys the socket with: it never connected, or the server went quiet. */
export class RequestTimeout extends Error {
  constructor(readonly phase: 'connect' | 'stall' | 'head' | 'slow') {
    super(`${phase} timeout`);
    this.name = 'RequestTimeout';
  }
}

export function notFound(url: string): ArborError {
  return new ArborError(ErrorCode.REMOTE_NOT_FOUND, `GET ${url}: not found (HTTP 404)`);
}

export function statusError(url: string, status: number): ArborError {
  const error = new ArborError(ErrorCode.REMOTE_HTTP_STATUS, `GET ${url}: HTTP ${status}`);
  return status >= 500 ? transient(error) : error;
}

export function tooLarge(url: string, maxBytes: number, declared?: number): ArborError {
  const size = declared === undefined ? 'more than that' : `${declared} bytes`;
  return new ArborError(ErrorCode.REMOTE_TOO_LARGE, `GET ${url}: response too large (limit ${maxBytes} bytes, server sent ${size})`, {
    hint: 'The server sent far more than the object can be; it is misconfigured or hostile',
  });
}

export function truncated(url: string, received: number, length: number): ArborError {
  return transient(new ArborError(ErrorCode.REMOTE_TRUNCATED, `GET ${url}: truncated body (${received} of ${length} bytes)`));
}

interface RequestErrorContext {
  url: string;
  options: HttpTransportOptions;
  /** The caller's signal had aborted: whatever the request failed with, that is why. */
  aborted?: boolean;
  /** Body bytes received before the failure, when it happened while reading the body. */
  received?: number;
  length?: number;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

export function describeRequestError(error: unknown, context: RequestErrorContext): Error {
  if (error instanceof ArborError) return error;
  const { url, options } = context;
  if (context.aborted || (error as Error)?.name === 'AbortError') {
    return new ArborError(ErrorCode.ABORTED, `GET ${url}: aborted`, { cause: error });
  }
  if (error instanceof RequestTimeout && error.phase === 'connect') {
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: no connection within ${seconds(options.connectTimeoutMs)}`, { cause: error }));
  }
  if (error instanceof RequestTimeout && error.phase === 'head') {
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: no complete response head within ${seconds(options.responseTimeoutMs)}`, { cause: error }));
  }
  if (error instanceof RequestTimeout && error.phase === 'slow') {
    const of = context.length === undefined ? '' : ` of ${context.length}`;
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: server sent under ${options.minBytesPerSecond} bytes/s for ${seconds(options.throughputWindowMs)} (${context.received ?? 0}${of} bytes received)`, {
      cause: error,
      hint: 'The link is too slow or the server is holding the pull; minBytesPerSecond and throughputWindowMs (http plugin options) set the bar',
    }));
  }
  if (error instanceof RequestTimeout && context.received === undefined) {
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: server sent no response within ${seconds(options.stallTimeoutMs)}`, { cause: error }));
  }
  if (error instanceof RequestTimeout) {
    const of = context.length === undefined ? '' : ` of ${context.length}`;
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: server stalled for ${seconds(options.stallTimeoutMs)} after ${context.received}${of} bytes`, { cause: error }));
  }
  const code = errorCode(error);
  if (context.received !== undefined && CONNECTION_CODES.has(code)) {
    const of = context.length === undefined ? '' : ` of ${context.length}`;
    return transient(new ArborError(ErrorCode.REMOTE_TRUNCATED, `GET ${url}: truncated body, connection closed after ${context.received}${of} bytes`, { cause: error }));
  }
  if (CONNECTION_CODES.has(code)) {
    return transient(new ArborError(ErrorCode.REMOTE_UNREACHABLE, `GET ${url}: ${reason(error) || code}`, { cause: error }));
  }
  return new ArborError(ErrorCode.REMOTE_UNREACHABLE, `GET ${url}: ${reason(error) || String(error)}`, { cause: error });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

/** An AggregateError (every address of a host refused) has no message of its own; its first error does. */
function reason(error: unknown): string {
  const { message, errors } = (error ?? {}) as { message?: unknown; errors?: { message?: unknown }[] };
  if (typeof message === 'string' && message) return message;
  const first = Array.isArray(errors) ? errors[0]?.message : undefined;
  return typeof first === 'string' ? first : '';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
