import fs from 'node:fs';
import path from 'node:path';

/** A kernel in a composed tree, and whether an initramfs ships beside it. */
export interface TreeKernel {
  kernelVersion: string;
  /** `usr/lib/modules/<kver>/initramfs.img`, where the made initramfs goes (relative to the tree). */
  initramfs: string;
  hasInitramfs: boolean;
}

/**
 * The kernels of a tree: `usr/lib/modules/<kver>/vmlinuz` (where Fedora's kernel packages put
 * it) or `boot/vmlinuz-<kver>` (older packages; postprocess moves it later). A kernel has an
 * initramfs when `usr/lib/modules/<kver>/initramfs.img` or `boot/initramfs-<kver>.img` exists.
 */
export function findTreeKernels(tree: string): TreeKernel[] {
  const versions = new Set<string>();
  const modules = path.join(tree, 'usr', 'lib', 'modules');
  for (const kver of readdir(modules)) {
    if (isFile(path.join(modules, kver, 'vmlinuz'))) versions.add(kver);
  }
  for (const name of readdir(path.join(tree, 'boot'))) {
    const match = /^vmlinuz-(.+)$/.exec(name);
    if (match && isFile(path.join(tree, 'boot', name))) versions.add(match[1]!);
  }
  return [...versions].sort().map((kernelVersion) => {
    const initramfs = path.join('usr', 'lib', 'modules', kernelVersion, 'initramfs.img');
    return {
      kernelVersion,
      initramfs,
      hasInitramfs: isFile(path.join(tree, initramfs)) || isFile(path.join(tree, 'boot', `initramfs-${kernelVersion}.img`)),
    };
  });
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isFile(file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}
