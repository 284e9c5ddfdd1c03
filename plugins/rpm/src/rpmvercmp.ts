/**
 * RPM's version comparison, written from rpm's documented algorithm (rpmvercmp in
 * lib/rpmvercmp.c, "Version comparison" in rpm's docs/manual/dependencies):
 *
 * - both strings are split into segments of digits or of ASCII letters; anything else only
 *   separates segments;
 * - `~` sorts before everything, even the end of the string (`1.0~rc1` < `1.0`);
 * - `^` sorts after the end of the string but before any other segment (`1.0^git1` > `1.0`,
 *   `1.0^git1` < `1.0.1`);
 * - a numeric segment is newer than an alphabetic one; numbers compare without leading zeros,
 *   letters compare by byte;
 * - when one string runs out, the one with segments left is newer.
 *
 * Returns -1, 0 or 1 like rpm.vercmp().
 */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a.charCodeAt(i)) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b.charCodeAt(j)) && b[j] !== '~' && b[j] !== '^') j++;

    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    const numeric = isDigit(a.charCodeAt(i));
    const take = numeric ? isDigit : isAlpha;
    const startA = i;
    const startB = j;
    while (i < a.length && take(a.charCodeAt(i))) i++;
    while (j < b.length && take(b.charCodeAt(j))) j++;
    // b's segment is of the other type: a numeric segment beats an alphabetic one.
    if (j === startB) return numeric ? 1 : -1;

    let segA = a.slice(startA, i);
    let segB = b.slice(startB, j);
    if (numeric) {
      segA = segA.replace(/^0+/, '');
      segB = segB.replace(/^0+/, '');
      if (segA.length !== segB.length) return segA.length > segB.length ? 1 : -1;
    }
    if (segA !== segB) return segA < segB ? -1 : 1;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

/** An epoch:version-release triple; an empty release means "any release" in a dependency. */
export interface Evr {
  epoch: number;
  version: string;
  release?: string;
}

/**
 * Compares two EVRs as rpm and libsolv do for dependencies: epoch first (missing = 0), then
 * version, then release only when both sides have one (`foo >= 1.0` matches every 1.0-N).
 */
export function compareEvr(a: Evr, b: Evr): number {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch ? 1 : -1;
  const byVersion = rpmvercmp(a.version, b.version);
  if (byVersion !== 0) return byVersion;
  if (!a.release || !b.release) return 0;
  return rpmvercmp(a.release, b.release);
}

/** Parses `[epoch:]version[-release]`, the form rich dependencies and treefiles write. */
export function parseEvr(text: string): Evr {
  const colon = text.indexOf(':');
  const epoch = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? Number(text.slice(0, colon)) : 0;
  const rest = colon > 0 && /^\d+$/.test(text.slice(0, colon)) ? text.slice(colon + 1) : text;
  const dash = rest.lastIndexOf('-');
  return dash > 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

/** `epoch:version-release`, omitting a zero epoch, as libsolv and dnf print it. */
export function formatEvr(evr: Evr): string {
  const head = evr.epoch ? `${evr.epoch}:` : '';
  return evr.release ? `${head}${evr.version}-${evr.release}` : `${head}${evr.version}`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function isAlnum(code: number): boolean {
  return isDigit(code) || isAlpha(code);
}
