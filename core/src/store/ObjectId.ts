import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/** An object ID: BLAKE3-256 as 64 lowercase hex digits (docs/format.md §2). */
export type ObjectId = string;

/**
 * Object kinds and their file suffixes under `objects/XX/`. `filez` is the archive-mode form
 * of a file object (header + compressed content); every other kind is stored the same way in
 * every mode. `commitsig` is keyed by the ID of the commit it signs, not by its own hash.
 */
export const ObjectKind = {
  file: 'file',
  filez: 'filez',
  dirtree: 'dirtree',
  dirmeta: 'dirmeta',
  commit: 'commit',
  commitsig: 'commitsig',
} as const;

export type ObjectKindName = (typeof ObjectKind)[keyof typeof ObjectKind];

export const ALL_KINDS: readonly ObjectKindName[] = Object.values(ObjectKind);

const ID_PATTERN = /^[0-9a-f]{64}$/;

export function isObjectId(value: string): boolean {
  return value.length === 64 && ID_PATTERN.test(value);
}

export function assertObjectId(value: string, what = 'object ID'): ObjectId {
  if (!isObjectId(value)) {
    throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Invalid ${what} "${value.slice(0, 80)}"`, {
      hint: 'IDs are 64 lowercase hex digits (BLAKE3-256)',
    });
  }
  return value;
}

/** `objects/ab/cdef....<kind>`, relative to the repo root. */
export function objectRelPath(id: ObjectId, kind: ObjectKindName): string {
  return `objects/${id.slice(0, 2)}/${id.slice(2)}.${kind}`;
}
