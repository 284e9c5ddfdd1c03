import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * Ref names. A local branch `fedora/x86_64/base` lives at `refs/heads/fedora/x86_64/base`; a
 * remote's ref is written `origin:fedora/x86_64/base` (ostree's refspec form) and lives at
 * `refs/remotes/origin/fedora/x86_64/base`. Each `/`-separated part starts with a letter, digit
 * or `_` and holds only `[A-Za-z0-9._-]`, so no part can be `.` or `..` and a ref always maps
 * to a path inside `refs/`.
 */
const PART = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const MAX_REF = 255;

export interface RefLocation {
  remote?: string;
  name: string;
  /** Relative to the repo root. */
  relPath: string;
}

export function refNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_REF) return `it is longer than ${MAX_REF} characters`;
  for (const part of name.split('/')) {
    if (!PART.test(part)) return `"${part}" is not a valid part (letters, digits, "._-", not starting with "." or "-")`;
    if (part.endsWith('.lock')) return 'a part ends in ".lock"';
  }
  return undefined;
}

/** Parses `name` or `remote:name`; throws ARBOR_STORE_REF_INVALID naming the ref. */
export function parseRef(ref: string): RefLocation {
  const colon = ref.indexOf(':');
  const remote = colon >= 0 ? ref.slice(0, colon) : undefined;
  const name = colon >= 0 ? ref.slice(colon + 1) : ref;
  const problem = (remote !== undefined && (remote.includes('/') ? 'the remote name holds "/"' : refNameProblem(remote))) || refNameProblem(name);
  if (problem) {
    throw new ArborError(ErrorCode.STORE_REF_INVALID, `Invalid ref "${ref}": ${problem}`, {
      hint: 'Refs look like "os/x86_64/stable" or "origin:os/x86_64/stable"',
    });
  }
  return { remote, name, relPath: remote !== undefined ? `refs/remotes/${remote}/${name}` : `refs/heads/${name}` };
}

export function isValidRef(ref: string): boolean {
  try {
    parseRef(ref);
    return true;
  } catch {
    return false;
  }
}
