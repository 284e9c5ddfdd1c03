import fs from 'node:fs';
import path from 'node:path';
import { readXattrList, removeXattr } from '@arbor/core';

/** Overlayfs's own xattrs (Documentation/filesystems/overlayfs.rst): never part of a tree. */
const OVERLAY_XATTR = /^(trusted|user)\.overlay\./;

export interface MergeOptions {
  /** Top-level names of `layer` to leave out (mount points the sandbox made). */
  skip?: ReadonlySet<string>;
  /** Told of each device node, fifo or socket left out: the store holds none (docs/format.md). */
  onSpecialFile?: (relative: string) => void;
}

/**
 * Moves what a layer directory holds into a target directory by renames, so nothing in the
 * target is ever written in place (its files may be hardlinks to store objects): a file or
 * symlink replaces the target's entry, a directory the target lacks moves in whole, and one it
 * has is merged into, taking the layer's owner and mode. Overlayfs's marks are obeyed: a
 * whiteout (a 0/0 character device) deletes the target's entry, an opaque directory replaces
 * the target's directory instead of merging, and overlay xattrs are dropped on the way. Other
 * device nodes, fifos and sockets are left out and reported.
 * `layer` is consumed. Returns the relative paths that changed.
 */
export function mergeLayer(layer: string, target: string, options: MergeOptions = {}): string[] {
  const changed: string[] = [];
  mergeDirectory(layer, target, '', options, changed);
  return changed;
}

function mergeDirectory(layer: string, target: string, relative: string, options: MergeOptions, changed: string[]): void {
  for (const name of fs.readdirSync(layer).sort()) {
    if (relative === '' && options.skip?.has(name)) continue;
    const from = path.join(layer, name);
    const to = path.join(target, name);
    const entryPath = relative ? `${relative}/${name}` : name;
    const source = fs.lstatSync(from);
    const existing = fs.lstatSync(to, { throwIfNoEntry: false });
    if (source.isCharacterDevice() && source.rdev === 0) {
      if (existing) fs.rmSync(to, { recursive: true, force: true });
      changed.push(entryPath);
      continue;
    }
    if (!source.isDirectory() && !source.isFile() && !source.isSymbolicLink()) {
      options.onSpecialFile?.(entryPath);
      continue;
    }
    if (source.isDirectory() && existing?.isDirectory() && !isOpaque(from)) {
      if (existing.uid !== source.uid || existing.gid !== source.gid) fs.lchownSync(to, source.uid, source.gid);
      if ((existing.mode & 0o7777) !== (source.mode & 0o7777)) fs.chmodSync(to, source.mode & 0o7777);
      mergeDirectory(from, to, entryPath, options, changed);
      continue;
    }
    stripOverlay(from, source, entryPath, options);
    if (existing && (existing.isDirectory() !== source.isDirectory() || source.isDirectory())) fs.rmSync(to, { recursive: true, force: true });
    fs.renameSync(from, to);
    changed.push(entryPath);
  }
}

function isOpaque(dir: string): boolean {
  return readXattrList(dir).some(([name, value]) => /\.overlay\.opaque$/.test(name) && (value.toString() === 'y' || value.toString() === 'x'));
}

/** Readies an entry that moves in whole: no overlay xattrs, no whiteouts, no special files inside. */
function stripOverlay(entry: string, stats: fs.Stats, relative: string, options: MergeOptions): void {
  if (!stats.isDirectory() && !stats.isFile() && !stats.isSymbolicLink()) {
    if (!(stats.isCharacterDevice() && stats.rdev === 0)) options.onSpecialFile?.(relative);
    fs.rmSync(entry);
    return;
  }
  for (const [name] of readXattrList(entry)) if (OVERLAY_XATTR.test(name)) removeXattr(entry, name);
  if (!stats.isDirectory()) return;
  for (const name of fs.readdirSync(entry)) {
    const child = path.join(entry, name);
    stripOverlay(child, fs.lstatSync(child), `${relative}/${name}`, options);
  }
}
