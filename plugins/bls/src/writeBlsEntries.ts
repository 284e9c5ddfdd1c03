import fs from 'node:fs';
import path from 'node:path';
import { BootEntry, type BootDeployment, type BootloaderRequest } from '@arbor/core';

/**
 * Writes one Boot Loader Specification entry per deployment into `<loaderDir>/entries`, named
 * `arbor-<K>.conf` with K = count - index, so the default deployment has the highest K and
 * sorts first in GRUB's blscfg and systemd-boot (ARCHITECTURE.md §4). The loader directory is
 * not live yet: the core syncs the filesystem and swaps `boot/loader` to it afterwards, so
 * plain writes suffice here.
 */
export function writeBlsEntries(request: BootloaderRequest): string[] {
  const dir = path.join(request.loaderDir, 'entries');
  fs.mkdirSync(dir, { recursive: true });
  const count = request.deployments.length;
  const written: string[] = [];
  for (const deployment of request.deployments) {
    const sortKey = count - deployment.index;
    const file = path.join(dir, `arbor-${sortKey}.conf`);
    fs.writeFileSync(file, blsEntry(deployment, sortKey).toString(), { mode: 0o644 });
    written.push(file);
  }
  return written;
}

/** The fields, in the order ostree writes them; `linux` and `initrd` are relative to /boot. */
export function blsEntry(deployment: BootDeployment, sortKey: number): BootEntry {
  return BootEntry.of([
    ['title', deployment.title],
    ['version', String(sortKey)],
    ['options', deployment.options.join(' ')],
    ['linux', deployment.linux],
    ...(deployment.initrd ? [['initrd', deployment.initrd] as const] : []),
  ]);
}
