import { ArborError, ErrorCode } from '@arbor/core';
import type { HttpTransportOptions } from './defaultHttpOptions';

/**
 * Maps what undici and the server did into one-line ArborErrors that name the URL, and marks
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
  /** Body bytes received before the failure, when it happened while reading the body. */
  received?: number;
  length?: number;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_CLOSED']);

export function describeRequestError(error: unknown, context: RequestErrorContext): Error {
  const code = errorCode(error);
  const { url, options } = context;
  if (code === 'UND_ERR_ABORTED' || (error as Error)?.name === 'AbortError') {
    return new ArborError(ErrorCode.ABORTED, `GET ${url}: aborted`, { cause: error });
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: no connection within ${seconds(options.connectTimeoutMs)}`, { cause: error }));
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: server sent no response within ${seconds(options.stallTimeoutMs)}`, { cause: error }));
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    const progress = context.received === undefined ? '' : ` after ${context.received}${context.length === undefined ? '' : ` of ${context.length}`} bytes`;
    return transient(new ArborError(ErrorCode.REMOTE_TIMEOUT, `GET ${url}: server stalled for ${seconds(options.stallTimeoutMs)}${progress}`, { cause: error }));
  }
  if (context.received !== undefined && (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || CONNECTION_CODES.has(code))) {
    const of = context.length === undefined ? '' : ` of ${context.length}`;
    return transient(new ArborError(ErrorCode.REMOTE_TRUNCATED, `GET ${url}: truncated body, connection closed after ${context.received}${of} bytes`, { cause: error }));
  }
  if (code === 'UND_ERR_SOCKET' || CONNECTION_CODES.has(code)) {
    const reason = (error as Error).message || code;
    return transient(new ArborError(ErrorCode.REMOTE_UNREACHABLE, `GET ${url}: ${reason}`, { cause: error }));
  }
  if (error instanceof ArborError) return error;
  return new ArborError(ErrorCode.REMOTE_UNREACHABLE, `GET ${url}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** undici nests the system error (ECONNREFUSED) in `cause`; either level may carry the code. */
function errorCode(error: unknown): string {
  const outer = (error as { code?: unknown })?.code;
  if (typeof outer === 'string' && outer !== 'UND_ERR_SOCKET') return outer;
  const inner = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof inner === 'string') return inner;
  return typeof outer === 'string' ? outer : '';
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
