import fs from 'node:fs';
import path from 'node:path';
import { ArborError, ErrorCode, type ComposeTree, type HookContext } from '@arbor/core';

/**
 * /etc -> /usr/etc: the image keeps the vendor defaults under /usr, and each deployment gets
 * its own etc/ from them at deploy time (docs/sysroot.md, the /etc merge, ostree's layout). A tree that
 * already has both cannot be laid out that way.
 */
export async function moveEtcToUsrEtc(compose: ComposeTree): Promise<void> {
  const etc = path.join(compose.tree, 'etc');
  const usrEtc = path.join(compose.tree, 'usr/etc');
  if (!fs.existsSync(etc)) return;
  if (fs.existsSync(usrEtc)) {
    throw new ArborError(ErrorCode.COMPOSE_POSTPROCESS_FAILED, 'The tree has both /etc and /usr/etc; a package installed into /usr/etc directly');
  }
  fs.mkdirSync(path.dirname(usrEtc), { recursive: true });
  fs.renameSync(etc, usrEtc);
}

/**
 * Kernels: deployments boot `usr/lib/modules/<kver>/vmlinuz` (docs/sysroot.md). Kernel
 * packages that still install `/boot/vmlinuz-<kver>` (and `initramfs-<kver>.img`) have them
 * moved there, as rpm-ostree does; a modules directory with no kernel image is reported.
 */
export async function placeKernel(compose: ComposeTree, context: HookContext): Promise<void> {
  const boot = path.join(compose.tree, 'boot');
  const modules = path.join(compose.tree, 'usr/lib/modules');
  if (fs.existsSync(boot)) {
    for (const name of fs.readdirSync(boot)) {
      const kernel = /^vmlinuz-(.+)$/.exec(name);
      if (!kernel) continue;
      const kver = kernel[1]!;
      const target = path.join(modules, kver);
      fs.mkdirSync(target, { recursive: true });
      if (!fs.existsSync(path.join(target, 'vmlinuz'))) fs.renameSync(path.join(boot, name), path.join(target, 'vmlinuz'));
      // Fedora's dracut names it initramfs-<kver>.img; Debian's initramfs-tools, initrd.img-<kver>.
      for (const initramfs of [path.join(boot, `initramfs-${kver}.img`), path.join(boot, `initrd.img-${kver}`)]) {
        if (fs.existsSync(initramfs) && !fs.existsSync(path.join(target, 'initramfs.img'))) fs.renameSync(initramfs, path.join(target, 'initramfs.img'));
      }
    }
  }
  if (!fs.existsSync(modules)) return;
  for (const kver of fs.readdirSync(modules).sort()) {
    if (!fs.existsSync(path.join(modules, kver, 'vmlinuz'))) {
      context.logger.warn(`postprocess: usr/lib/modules/${kver} has no vmlinuz; a deployment of this tree cannot boot kernel ${kver}`);
    }
  }
}
