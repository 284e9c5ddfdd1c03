import fs from 'node:fs';
import path from 'node:path';
import type { BootDeployment, BootloaderRequest } from '../hooks';
import { BootEntry } from '../sysroot/BootEntry';
import { BootFilesystem } from './BootFilesystem';
import { replaceEntrySet } from './replaceEntrySet';

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

/** errnos with which a filesystem says it has no symlinks: vfat (EPERM), FUSE FAT drivers (ENOSYS). */
const NO_SYMLINKS = new Set(['EPERM', 'ENOSYS', 'EOPNOTSUPP', 'ENOTSUP']);

/**
 * Writes one entry per deployment and makes them live, by one of two protocols
 * (docs/bootloaders/atomic-fat.md):
 *
 * - **symlink swap**, where /boot has symlinks: the entries go in `boot/loader.<B>/entries`
 *   and a new `boot/loader -> loader.<B>` symlink is renamed over the old one
 *   (docs/sysroot.md); a crash before the rename boots the old entries, after it the new.
 * - **renames alone**, where /boot is FAT (no symlinks; found by a probe, or because
 *   `boot/loader` is already a real directory): `replaceEntrySet` writes the new set beside
 *   the old one in `boot/loader/entries` under content-named ids, then removes the old set.
 *
 * Returns the entry files of the new set. `dir` is the partition to write (SYSROOT/boot).
 */
export function writeBlsLoader(request: BootloaderRequest, dir = request.bootDir): string[] {
  const boot = new BootFilesystem(dir, dir === request.bootDir ? '/boot' : dir);
  const count = request.deployments.length;
  if (boot.isDirectory('loader') || !supportsSymlinks(boot)) {
    const result = replaceEntrySet(boot, {
      entriesDir: 'loader/entries',
      prefix: 'arbor-',
      entries: request.deployments.map((deployment, index) => ({ sortKey: count - index, entry: blsEntry(deployment, count - index) })),
      // The core installed the kernels in /boot and removes them in its cleanup.
      files: [],
    });
    const names = new Map(boot.list('loader/entries').map((name) => [name.replace(/\+\d+(-\d+)?\.conf$/, '.conf'), name]));
    return result.ids.map((id) => boot.resolve(`loader/entries/${names.get(id) ?? id}`));
  }

  const loaderDir = `loader.${request.bootVersion}`;
  boot.attempt('remove', loaderDir, () => fs.rmSync(boot.resolve(loaderDir), { recursive: true, force: true }));
  boot.mkdirs(`${loaderDir}/entries`);
  const written = request.deployments.map((deployment) => {
    const file = `${loaderDir}/entries/${blsEntryName(deployment, count)}`;
    boot.attempt('write', file, () => fs.writeFileSync(boot.resolve(file), blsEntry(deployment, count - deployment.index).toString(), { mode: 0o644 }));
    return boot.resolve(file);
  });
  // Everything the new version names must be on disk before the rename makes it live.
  boot.sync();
  const temp = boot.tempName('loader');
  boot.attempt('create symlink', temp, () => {
    fs.rmSync(boot.resolve(temp), { force: true });
    fs.symlinkSync(loaderDir, boot.resolve(temp));
  });
  boot.rename(temp, 'loader');
  boot.syncDir('.');
  return written;
}

/** Whether /boot takes a symlink, by making one (and removing it). */
function supportsSymlinks(boot: BootFilesystem): boolean {
  const probe = boot.tempName('symlink-probe');
  const full = boot.resolve(probe);
  try {
    fs.rmSync(full, { force: true });
    fs.symlinkSync('loader', full);
  } catch (error) {
    if (NO_SYMLINKS.has((error as NodeJS.ErrnoException).code ?? '')) return false;
    return boot.attempt('create symlink', probe, () => {
      throw error;
    });
  }
  boot.remove(probe);
  return true;
}
