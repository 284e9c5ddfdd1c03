import fs from 'node:fs';
import path from 'node:path';
import { parseEntryFileName } from './EntryFileName';

/**
 * Reading back which boot version a bootloader boots, from what a writer made live, for
 * BootloaderWriter.liveBootVersion. The version is in every entry's `arbor=/arbor/boot.<B>/...`.
 */

/** B in an entry's `arbor=/arbor/boot.<B>/` argument, or undefined. */
export function bootVersionOfEntry(text: string): number | undefined {
  const match = /^\s*options\s+(?:.*\s)?arbor=\/arbor\/boot\.([01])\//m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * The entry a BLS reader boots when nothing names a default: the one that sorts first,
 * entry ids in descending version order (systemd's bootspec sorts so; `-10` after `-9`).
 */
export function firstBySortOrder(names: readonly string[]): string | undefined {
  const collator = new Intl.Collator('en', { numeric: true });
  return [...names].sort((a, b) => collator.compare(parseEntryFileName(b).id, parseEntryFileName(a).id))[0];
}

/** The boot version of the first of `names` in `entriesDir` that names one. */
export function bootVersionOfEntries(entriesDir: string, names: readonly string[]): number | undefined {
  const first = firstBySortOrder(names);
  if (!first) return undefined;
  try {
    return bootVersionOfEntry(fs.readFileSync(path.join(entriesDir, first), 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The live version of the BLS writer: the target of the `boot/loader -> loader.<B>` symlink,
 * or on a FAT /boot (a real `boot/loader` directory) that of the entry that sorts first.
 */
export function blsLiveBootVersion(bootDir: string): number | undefined {
  const loader = path.join(bootDir, 'loader');
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(loader);
  } catch {
    return undefined;
  }
  if (stat.isSymbolicLink()) {
    const match = /^loader\.([01])$/.exec(fs.readlinkSync(loader));
    return match ? Number(match[1]) : undefined;
  }
  if (!stat.isDirectory()) return undefined;
  const entries = path.join(loader, 'entries');
  let names: string[];
  try {
    names = fs.readdirSync(entries).filter((name) => name.startsWith('arbor-') && name.endsWith('.conf'));
  } catch {
    return undefined;
  }
  return bootVersionOfEntries(entries, names);
}
