import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * Commit metadata as canonical JSON (the RFC 8785 approach): object keys sorted by UTF-16
 * code units, no whitespace, numbers as ECMAScript prints them. The same metadata therefore
 * always gives the same commit bytes. Values JSON cannot hold are refused, not dropped.
 */
export function canonicalJson(value: unknown, path = 'metadata', depth = 0): string {
  if (depth > 64) throw invalid(path, 'nested more than 64 levels (a cycle?)');
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw invalid(path, `${value} is not a finite number`);
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, index) => canonicalJson(item, `${path}[${index}]`, depth + 1)).join(',')}]`;
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) {
        throw invalid(path, `a ${(value as object).constructor?.name ?? 'non-plain'} object is not JSON`);
      }
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${canonicalJson(item, `${path}.${key}`, depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw invalid(path, `a ${typeof value} is not JSON`);
  }
}

function invalid(path: string, reason: string): ArborError {
  return new ArborError(ErrorCode.STORE_METADATA_INVALID, `Commit ${path}: ${reason}`, {
    hint: 'Commit metadata values must be JSON: strings, finite numbers, booleans, null, arrays and plain objects',
  });
}
