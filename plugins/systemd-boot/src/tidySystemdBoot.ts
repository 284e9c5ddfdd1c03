import fs from 'node:fs';
import path from 'node:path';
import { BootFilesystem, entrySetOf, parseEntryFileName, removeUnnamedFiles, type BootloaderTarget } from '@arbor/core';
import { LoaderConf } from './LoaderConf';
import { ENTRIES_DIR, ENTRY_PREFIX, KERNELS_DIR, LOADER_CONF, sameDirectory } from './writeSystemdBoot';

/**
 * Removes what a killed write left on the ESP (or XBOOTLDR): temp files, our entries of any
 * set but the one loader.conf's `default` names, and then every file under `arbor/` that no
 * remaining entry names. Steps 0 and 6 of the protocol (docs/bootloaders/atomic-fat.md), safe
 * at any time under the sysroot lock since the live set and its files are never touched.
 * Nothing is removed while the live set is unknown (no ESP yet, or the admin owns `default`).
 */
export function tidySystemdBoot(target: BootloaderTarget, settings: { xbootldr?: string }): string[] {
  if (!fs.existsSync(path.join(target.esp, LOADER_CONF))) return [];
  let conf: LoaderConf;
  try {
    conf = LoaderConf.parse(fs.readFileSync(path.join(target.esp, LOADER_CONF), 'utf8'));
  } catch {
    return [];
  }
  const live = conf.default?.startsWith(ENTRY_PREFIX) ? entrySetOf(conf.default.replace(/-\*$/, '-0.conf'), ENTRY_PREFIX) : undefined;
  if (!live) return [];
  const root = settings.xbootldr ? path.resolve(target.sysroot, settings.xbootldr) : target.esp;
  const partition = new BootFilesystem(root, settings.xbootldr ? 'XBOOTLDR' : 'ESP');
  const removed: string[] = [];
  for (const name of partition.list(ENTRIES_DIR)) {
    const stale = name.startsWith('.') && name.endsWith('.tmp');
    const set = name.endsWith('.conf') ? entrySetOf(parseEntryFileName(name).id, ENTRY_PREFIX) : undefined;
    if (!stale && (set === undefined || set === live)) continue;
    partition.remove(path.posix.join(ENTRIES_DIR, name));
    removed.push(path.posix.join(ENTRIES_DIR, name));
  }
  if (removed.length > 0) partition.syncDir(ENTRIES_DIR);
  if (!sameDirectory(root, target.bootDir)) removed.push(...removeUnnamedFiles(partition, ENTRIES_DIR, KERNELS_DIR));
  return removed;
}
