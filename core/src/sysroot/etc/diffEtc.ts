import fs from 'node:fs';
import path from 'node:path';
import { lstatOrUndefined } from '../../fs/SafePath';

/** What an admin did to the defaults: paths relative to /etc, sorted. */
export interface EtcDiff {
  /** Content, mode, owner, symlink target or type differ. */
  modified: string[];
  /** Only in etc; everything below an added directory is listed too. */
  added: string[];
  /** In the defaults, gone from etc; a removed directory is listed once. */
  removed: string[];
  /** Special files (fifos, sockets, devices) in etc, which a merge never carries. */
  skipped: string[];
}

/**
 * Compares a deployment's defaults (usr/etc) with its etc, ignoring xattrs and times, like
 * ostree's diff for the /etc merge (docs/sysroot.md, the /etc merge.3). Symlinks are compared as links and
 * never followed. Where the admin replaced an entry with a directory, the directory is
 * `modified` and everything in it `added`, so a merge carries the whole of it.
 */
export function diffEtc(defaults: string, etc: string): EtcDiff {
  const diff: EtcDiff = { modified: [], added: [], removed: [], skipped: [] };
  compareDirectory(defaults, etc, '', diff);
  return diff;
}

/** True when two trees hold the same entries with the same metadata and content. */
export function sameTree(a: string, b: string): boolean {
  const statA = lstatOrUndefined(a);
  const statB = lstatOrUndefined(b);
  if (!statA || !statB) return !statA && !statB;
  if (!sameEntry(a, statA, b, statB)) return false;
  if (!statA.isDirectory()) return true;
  const diff = diffEtc(a, b);
  return diff.modified.length + diff.added.length + diff.removed.length + diff.skipped.length === 0;
}

function compareDirectory(defaults: string, etc: string, relative: string, diff: EtcDiff): void {
  const names = new Set([...readdirOrEmpty(path.join(defaults, relative)), ...readdirOrEmpty(path.join(etc, relative))]);
  for (const name of [...names].sort()) {
    const child = relative ? `${relative}/${name}` : name;
    const before = lstatOrUndefined(path.join(defaults, child));
    const after = lstatOrUndefined(path.join(etc, child));
    if (!after) {
      diff.removed.push(child);
    } else if (isSpecial(after)) {
      if (!before || !sameEntry(path.join(defaults, child), before, path.join(etc, child), after)) diff.skipped.push(child);
    } else if (!before) {
      addRecursively(etc, child, after, diff);
    } else if (before.isDirectory() && after.isDirectory()) {
      if (!sameEntry(path.join(defaults, child), before, path.join(etc, child), after)) diff.modified.push(child);
      compareDirectory(defaults, etc, child, diff);
    } else if (!sameEntry(path.join(defaults, child), before, path.join(etc, child), after)) {
      diff.modified.push(child);
      if (after.isDirectory()) addChildren(etc, child, diff);
    }
  }
}

function addRecursively(etc: string, relative: string, stat: fs.Stats, diff: EtcDiff): void {
  if (isSpecial(stat)) {
    diff.skipped.push(relative);
    return;
  }
  diff.added.push(relative);
  if (stat.isDirectory()) addChildren(etc, relative, diff);
}

function addChildren(etc: string, relative: string, diff: EtcDiff): void {
  for (const name of fs.readdirSync(path.join(etc, relative)).sort()) {
    const child = `${relative}/${name}`;
    addRecursively(etc, child, fs.lstatSync(path.join(etc, child)), diff);
  }
}

/** Same type, permission bits, owner, and symlink target or file content (xattrs ignored). */
export function sameEntry(pathA: string, a: fs.Stats, pathB: string, b: fs.Stats): boolean {
  if ((a.mode & fs.constants.S_IFMT) !== (b.mode & fs.constants.S_IFMT)) return false;
  if (a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.isSymbolicLink()) return fs.readlinkSync(pathA) === fs.readlinkSync(pathB);
  if ((a.mode & 0o7777) !== (b.mode & 0o7777)) return false;
  if (a.isFile()) return a.size === b.size && (a.ino === b.ino && a.dev === b.dev || sameContent(pathA, pathB));
  if (a.isCharacterDevice() || a.isBlockDevice()) return a.rdev === b.rdev;
  return true;
}

const CHUNK = 64 * 1024;

function sameContent(a: string, b: string): boolean {
  const fdA = fs.openSync(a, 'r');
  const fdB = fs.openSync(b, 'r');
  try {
    const bufferA = Buffer.allocUnsafe(CHUNK);
    const bufferB = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const readA = fs.readSync(fdA, bufferA, 0, CHUNK, null);
      const readB = fs.readSync(fdB, bufferB, 0, CHUNK, null);
      if (readA !== readB || bufferA.compare(bufferB, 0, readB, 0, readA) !== 0) return false;
      if (readA === 0) return true;
    }
  } finally {
    fs.closeSync(fdA);
    fs.closeSync(fdB);
  }
}

function isSpecial(stat: fs.Stats): boolean {
  return !stat.isFile() && !stat.isDirectory() && !stat.isSymbolicLink();
}


function readdirOrEmpty(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}
