import { sameInode } from '../fs/sameInode';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BootEntry } from '../sysroot/BootEntry';
import type { BootFilesystem } from './BootFilesystem';
import { assertFatNames, formatEntryFileName, parseEntryFileName } from './EntryFileName';

/** A file the new entries name, copied onto the partition before any entry names it. */
export interface BootFileCopy {
  /** Path on the partition, as the entry names it, e.g. `/arbor/os-<bootcsum>/vmlinuz-<kver>`. */
  target: string;
  /** Where the core installed it. */
  source: string;
}

export interface EntrySetPlan {
  /** The directory the bootloader reads every `*.conf` of, relative to the partition: `loader/entries`. */
  entriesDir: string;
  /** Our entries' name prefix, e.g. `arbor-`; entries without it belong to someone else and are left alone. */
  prefix: string;
  /** The new entries, default first; `sortKey` is K (count - index), which ends the entry's name. */
  entries: { sortKey: number; entry: BootEntry }[];
  /** Kernels and initramfs images the entries name. Their paths must be content-named (bootcsum). */
  files: BootFileCopy[];
  /** Boot counting: new entries are named `ID+tries.conf`. */
  tries?: number;
  /**
   * Makes the new set the default, after every new entry and file is on disk and before any
   * old entry goes (systemd-boot: the `default` in loader.conf, by one rename). Gets the ids.
   */
  commit?(ids: string[]): void;
  /**
   * The set id the live default names (systemd-boot: read from loader.conf's `default`), when
   * known. Our entries of any other old set are leftovers of an interrupted write, never the
   * default, and go before anything is written, so they cannot pile up in the menu.
   */
  liveSetId?: string;
  /**
   * A directory (e.g. `arbor`) whose files no remaining entry names are deleted at the end.
   * Leave it out when the core owns that directory (a plain /boot).
   */
  collectUnder?: string;
}

export interface EntrySetResult {
  /** The content hash that names this set's entries. */
  setId: string;
  /** The new entries' ids (`<prefix><setId>-<K>.conf`), default first. */
  ids: string[];
  /** Paths written (entries and files), relative to the partition. */
  written: string[];
  /** Paths removed: old entries, then files no entry names any more. */
  removed: string[];
}

/**
 * Replaces our boot entries on a partition by renames alone, for FAT, which has no symlinks
 * and no hardlinks (docs/bootloaders/atomic-fat.md gives the protocol and the crash analysis):
 *
 * 1. copy the files the new entries name, each to a temp name, fsync, rename: a final name
 *    only ever exists complete, and paths are content-named, so an existing one is reused;
 * 2. write each new entry the same way, under a name no old entry has: the set's content
 *    hash is in it, so old and new entries never share a name and nothing is overwritten;
 * 3. syncfs, then `commit` (systemd-boot's loader.conf `default`, one rename);
 * 4. delete our entries that are not in the new set, then the files that no entry names.
 *
 * At every instant each visible `*.conf` is complete and names only complete files, and the
 * default is the old one until step 3's rename, the new one after it.
 */
export function replaceEntrySet(partition: BootFilesystem, plan: EntrySetPlan): EntrySetResult {
  const texts = plan.entries.map(({ entry }) => entry.toString());
  const setId = createHash('sha256').update(JSON.stringify({ texts, tries: plan.tries ?? null })).digest('hex').slice(0, 12);
  const ids = plan.entries.map(({ sortKey }) => `${plan.prefix}${setId}-${sortKey}.conf`);
  const written: string[] = [];
  const removed: string[] = [];

  partition.mkdirs(plan.entriesDir);
  removed.push(...partition.removeStaleTemps(plan.entriesDir));

  for (const file of uniqueFiles(plan.files)) {
    if (sameInode(file.source, partition.resolve(file.target))) continue;
    if (isCompleteCopy(partition, file)) continue;
    for (const segment of file.target.split('/').filter(Boolean)) assertFatNames([segment], file.target);
    partition.mkdirs(path.posix.dirname(file.target));
    partition.copyDurable(file.source, file.target);
    written.push(file.target);
  }

  const present = new Map<string, string>();
  for (const name of partition.list(plan.entriesDir)) {
    if (name.endsWith('.conf')) present.set(parseEntryFileName(name).id, name);
  }
  if (plan.liveSetId) {
    for (const [id, name] of present) {
      const set = entrySetOf(id, plan.prefix);
      if (set === undefined || set === setId || set === plan.liveSetId) continue;
      partition.remove(path.posix.join(plan.entriesDir, name));
      removed.push(path.posix.join(plan.entriesDir, name));
      present.delete(id);
    }
  }
  const names = ids.map((id) => present.get(id) ?? formatEntryFileName(id, plan.tries));
  assertFatNames([...new Set([...present.values(), ...names])], plan.entriesDir);
  names.forEach((name, index) => {
    const file = path.posix.join(plan.entriesDir, name);
    // An id is its set's hash, so a file with that id holds this text already (complete: it
    // came by rename) and stays as it is, boot counter and all.
    if (partition.readText(file) === texts[index]) return;
    partition.writeDurable(file, texts[index]!);
    written.push(file);
  });

  partition.sync();
  plan.commit?.(ids);

  const keep = new Set(ids);
  for (const [id, name] of present) {
    if (!id.startsWith(plan.prefix) || keep.has(id)) continue;
    partition.remove(path.posix.join(plan.entriesDir, name));
    removed.push(path.posix.join(plan.entriesDir, name));
  }
  partition.syncDir(plan.entriesDir);
  if (plan.collectUnder) removed.push(...removeUnnamedFiles(partition, plan.entriesDir, plan.collectUnder));
  partition.sync();
  return { setId, ids, written, removed };
}

/** The set id in one of our entry ids (`<prefix><setId>-<K>.conf`), or undefined for others' entries. */
export function entrySetOf(id: string, prefix: string): string | undefined {
  if (!id.startsWith(prefix)) return undefined;
  return /^([0-9a-f]{12})-\d+\.conf$/.exec(id.slice(prefix.length))?.[1];
}

/**
 * Deletes files under `dir` that no entry in `entriesDir` names (ours and anyone else's:
 * `linux`, `initrd`, `devicetree`, `efi`), then the directories left empty.
 */
export function removeUnnamedFiles(partition: BootFilesystem, entriesDir: string, dir: string): string[] {
  const named = new Set<string>();
  for (const name of partition.list(entriesDir)) {
    if (!name.endsWith('.conf')) continue;
    const text = partition.readText(path.posix.join(entriesDir, name));
    if (text === undefined) continue;
    for (const line of text.split('\n')) {
      const match = /^\s*(linux|initrd|devicetree|efi)\s+(\S+)/.exec(line);
      if (match) named.add(path.posix.resolve('/', match[2]!).toLowerCase());
    }
  }
  const removed: string[] = [];
  const walk = (relative: string) => {
    for (const name of partition.list(relative)) {
      const child = path.posix.join(relative, name);
      if (partition.isDirectory(child)) {
        walk(child);
        partition.removeEmptyDir(child);
      } else if (!named.has(path.posix.resolve('/', child).toLowerCase())) {
        partition.remove(child);
        removed.push(`/${child}`);
      }
    }
  };
  walk(dir);
  return removed;
}

function uniqueFiles(files: readonly BootFileCopy[]): BootFileCopy[] {
  const byTarget = new Map<string, BootFileCopy>();
  for (const file of files) byTarget.set(file.target, file);
  return [...byTarget.values()];
}

/** A content-named target that exists came from a rename of a complete copy; its size confirms it. */
function isCompleteCopy(partition: BootFilesystem, file: BootFileCopy): boolean {
  try {
    return fs.statSync(partition.resolve(file.target)).size === fs.statSync(file.source).size;
  } catch {
    return false;
  }
}
