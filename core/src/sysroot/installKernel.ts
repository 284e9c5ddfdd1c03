import fs from 'node:fs';
import path from 'node:path';
import { BootFilesystem } from '../boot/BootFilesystem';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { lstatBeneath } from '../fs/SafePath';
import { blake3Backend } from '../store/Blake3';
import type { Sysroot } from './Sysroot';

/** A deployment's kernel, as `usr/lib/modules/<kver>/` holds it. */
export interface KernelLayout {
  kernelVersion: string;
  vmlinuz: string;
  initramfs?: string;
}

/** Finds the one kernel in a deployment: `usr/lib/modules/<kver>/vmlinuz` (+ `initramfs.img`). */
export function findKernel(deployment: string): KernelLayout {
  const modules = path.join(deployment, 'usr', 'lib', 'modules');
  let versions: string[];
  try {
    // lstat at every step: a kernel that links elsewhere (say, to /etc/shadow) is no kernel.
    versions = fs.readdirSync(modules).filter((kver) => isFileBeneath(deployment, `usr/lib/modules/${kver}/vmlinuz`)).sort();
  } catch {
    versions = [];
  }
  if (versions.length !== 1) {
    throw new ArborError(
      ErrorCode.NO_KERNEL,
      versions.length === 0
        ? 'The commit has no kernel: no usr/lib/modules/<kver>/vmlinuz'
        : `The commit has ${versions.length} kernels (${versions.join(', ')}); a deployment boots exactly one`,
      { hint: 'A bootable commit ships one usr/lib/modules/<kver>/vmlinuz, with initramfs.img beside it' },
    );
  }
  const kernelVersion = versions[0]!;
  const dir = path.join(modules, kernelVersion);
  const initramfs = path.join(dir, 'initramfs.img');
  return { kernelVersion, vmlinuz: path.join(dir, 'vmlinuz'), ...(isFileBeneath(deployment, `usr/lib/modules/${kernelVersion}/initramfs.img`) ? { initramfs } : {}) };
}

/** bootcsum: BLAKE3 of the kernel's bytes followed by the initramfs's (docs/sysroot.md). */
export function bootChecksum(kernel: KernelLayout): string {
  const stream = blake3Backend().create();
  for (const file of [kernel.vmlinuz, kernel.initramfs]) {
    if (!file) continue;
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1 << 20);
      let read: number;
      while ((read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0) stream.update(buffer.subarray(0, read));
    } finally {
      fs.closeSync(fd);
    }
  }
  return stream.digest().toString('hex');
}

/**
 * Copies the kernel and initramfs to `/boot/arbor/<stateroot>-<bootcsum>/vmlinuz-<kver>` and
 * `initramfs-<kver>.img`. The directory is named by content, so one that exists is complete:
 * it is built under a temporary name, fsynced (/boot is often vfat, where only fsync counts)
 * and renamed into place. Every step goes through BootFilesystem, so an errno (a read-only or
 * full /boot) is one ArborError naming the path and the filesystem. Returns the bootcsum.
 */
export function installKernel(sysroot: Sysroot, stateroot: string, kernel: KernelLayout): string {
  const bootcsum = bootChecksum(kernel);
  const boot = new BootFilesystem(sysroot.bootDir, '/boot');
  const target = path.relative(sysroot.bootDir, sysroot.kernelDir(stateroot, bootcsum));
  if (isCompleteKernelDir(boot.resolve(target), kernel)) return bootcsum;
  const temp = `${target}.tmp`;
  const what = ` (the kernel ${kernel.kernelVersion})`;
  boot.removeTree(temp);
  // One an older release left half-deleted: renamed over below, it must not be a directory.
  boot.removeTree(target);
  boot.mkdirs(temp);
  try {
    copyDurably(boot, kernel.vmlinuz, `${temp}/vmlinuz-${kernel.kernelVersion}`, what);
    if (kernel.initramfs) copyDurably(boot, kernel.initramfs, `${temp}/initramfs-${kernel.kernelVersion}.img`, what);
    boot.syncDir(temp);
    boot.rename(temp, target);
  } catch (error) {
    // A full /boot must not also keep a half-copied kernel that nothing will ever use; a
    // failure to remove it (a /boot gone read-only) must not hide why the copy failed.
    try {
      fs.rmSync(boot.resolve(temp), { recursive: true, force: true });
    } catch {
      // the next deploy of this kernel removes it first
    }
    throw error;
  }
  boot.syncDir(path.posix.dirname(target));
  return bootcsum;
}

function copyDurably(boot: BootFilesystem, source: string, relative: string, what: string): void {
  boot.attempt('copy to', relative, () => {
    const dest = boot.resolve(relative);
    fs.copyFileSync(source, dest);
    fs.chmodSync(dest, 0o644);
    const fd = fs.openSync(dest, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }, what);
}

function isFileBeneath(deployment: string, relative: string): boolean {
  return lstatBeneath(deployment, relative)?.isFile() ?? false;
}

/** A kernel directory holds exactly the bytes' sizes it is named for (its name is their BLAKE3). */
function isCompleteKernelDir(target: string, kernel: KernelLayout): boolean {
  const expected: [string, string | undefined][] = [
    [`vmlinuz-${kernel.kernelVersion}`, kernel.vmlinuz],
    [`initramfs-${kernel.kernelVersion}.img`, kernel.initramfs],
  ];
  try {
    return expected.every(([name, source]) => !source || fs.statSync(path.join(target, name)).size === fs.statSync(source).size);
  } catch {
    return false;
  }
}
