import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { errnoError } from '../fs/errnoError';
import { lstatBeneath } from '../fs/SafePath';
import { blake3Backend } from '../store/Blake3';
import type { Sysroot } from './Sysroot';
import { fsyncDir } from '../store/RefStore';

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
 * and renamed into place. Returns the bootcsum.
 */
export function installKernel(sysroot: Sysroot, stateroot: string, kernel: KernelLayout): string {
  const bootcsum = bootChecksum(kernel);
  const target = sysroot.kernelDir(stateroot, bootcsum);
  if (isCompleteKernelDir(target, kernel)) return bootcsum;
  const temp = `${target}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  // One an older release left half-deleted: renamed over below, it must not be a directory.
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(temp, { recursive: true, mode: 0o755 });
  try {
    copyDurably(kernel.vmlinuz, path.join(temp, `vmlinuz-${kernel.kernelVersion}`));
    if (kernel.initramfs) copyDurably(kernel.initramfs, path.join(temp, `initramfs-${kernel.kernelVersion}.img`));
    fsyncDir(temp);
    fs.renameSync(temp, target);
  } catch (error) {
    // A full /boot must not also keep a half-copied kernel that nothing will ever use.
    fs.rmSync(temp, { recursive: true, force: true });
    throw errnoError(error, temp, `the kernel ${kernel.kernelVersion}`);
  }
  fsyncDir(path.dirname(target));
  return bootcsum;
}

function copyDurably(src: string, dest: string): void {
  fs.copyFileSync(src, dest);
  fs.chmodSync(dest, 0o644);
  const fd = fs.openSync(dest, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
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
