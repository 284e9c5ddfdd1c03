import fs from 'node:fs';
import path from 'node:path';
import { bootVersionOfEntries, parseEntryFileName, type BootloaderTarget } from '@arbor/core';
import { LoaderConf } from './LoaderConf';
import { ENTRIES_DIR, ENTRY_PREFIX, LOADER_CONF } from './writeSystemdBoot';

/**
 * The boot version systemd-boot boots now: the `arbor=/arbor/boot.<B>/` of the entry that
 * loader.conf's `default` picks (its exact id, or the first of our `arbor-<set>-*` glob in
 * systemd-boot's order). Undefined before the first write, and when the admin owns `default`.
 */
export function readLiveBootVersion(target: BootloaderTarget, settings: { xbootldr?: string }): number | undefined {
  let conf: LoaderConf;
  try {
    conf = LoaderConf.parse(fs.readFileSync(path.join(target.esp, LOADER_CONF), 'utf8'));
  } catch {
    return undefined;
  }
  const pattern = conf.default;
  if (!pattern || !pattern.startsWith(ENTRY_PREFIX)) return undefined;
  const entriesDir = path.join(settings.xbootldr ? path.resolve(target.sysroot, settings.xbootldr) : target.esp, ENTRIES_DIR);
  let names: string[];
  try {
    names = fs.readdirSync(entriesDir).filter((name) => name.endsWith('.conf'));
  } catch {
    return undefined;
  }
  const matches = (id: string) => (pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : id === pattern);
  return bootVersionOfEntries(entriesDir, names.filter((name) => matches(parseEntryFileName(name).id)));
}
