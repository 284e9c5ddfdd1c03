import fs from 'node:fs';
import path from 'node:path';
import { syncFilesystem } from '../fs/syncFilesystem';
import type { BootDeployment, BootloaderRequest } from '../hooks';
import { BootEntry } from '../sysroot/BootEntry';
import { replaceSymlink } from '../sysroot/writeFileAtomic';

/**
 * The Boot Loader Specification entries, as a library for the writers that use them (`bls`,
 * GRUB with blscfg, systemd-boot reading /boot). Nothing writes them unless a writer calls it.
 */

/** The fields in the order ostree writes them; `linux` and `initrd` are relative to /boot. */
export function blsEntry(deployment: BootDeployment, sortKey: number): BootEntry {
  return BootEntry.of([
    ['title', deployment.title],
    ['version', String(sortKey)],
    ['options', deployment.options.join(' ')],
    ['linux', deployment.linux],
    ...(deployment.initrd ? [['initrd', deployment.initrd] as const] : []),
  ]);
}

/** `arbor-<K>.conf` with K = count - index: the default has the highest K and sorts first. */
export function blsEntryName(deployment: BootDeployment, count: number): string {
  return `arbor-${count - deployment.index}.conf`;
}

/**
 * Writes one entry per deployment into `SYSROOT/boot/loader.<B>/entries` and makes it live by
 * renaming a new `boot/loader -> loader.<B>` symlink over the old one (ARCHITECTURE.md §4): a
 * crash before the rename boots the old entries, after it the new ones. Returns the files.
 */
export function writeBlsLoader(request: BootloaderRequest): string[] {
  const loaderDir = path.join(request.bootDir, `loader.${request.bootVersion}`);
  fs.rmSync(loaderDir, { recursive: true, force: true });
  const entries = path.join(loaderDir, 'entries');
  fs.mkdirSync(entries, { recursive: true });
  const count = request.deployments.length;
  const written = request.deployments.map((deployment) => {
    const file = path.join(entries, blsEntryName(deployment, count));
    fs.writeFileSync(file, blsEntry(deployment, count - deployment.index).toString(), { mode: 0o644 });
    return file;
  });
  // Everything the new version names must be on disk before the rename makes it live.
  syncFilesystem(request.bootDir);
  replaceSymlink(`loader.${request.bootVersion}`, path.join(request.bootDir, 'loader'));
  return written;
}
