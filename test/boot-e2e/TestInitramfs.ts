import fs from 'node:fs';
import path from 'node:path';
import { buildInitramfs, type TestKernel } from '../support/qemu';
import { REPO_ROOT } from '../support/runArbor';

export const PREPARE_ROOT = path.join(REPO_ROOT, 'boot', 'arbor-prepare-root');

/** The drivers a virtio disk with ext4 needs; ext4 asks the crypto API for crc32c by name. */
export const BOOT_MODULES = ['virtio_pci', 'virtio_blk', 'crc32c_generic', 'ext4'];

/**
 * What /init runs after the harness's prelude (busybox applets, /proc, /sys, /dev, the modules
 * above): arbor-prepare-root mounts the root and assembles the deployment at /sysroot, then
 * switch_root enters it. The kernel logs nowhere (no console=ttyS0: its log costs seconds under
 * TCG), so our lines go to the serial port themselves. A failure prints arbor-prepare-root's
 * one line and drops to a shell, as the dracut and initramfs-tools hooks do.
 */
const PREPARE_AND_SWITCH = `exec >/dev/ttyS0 2>&1
mkdir -p /sysroot /run
mount -t tmpfs -o mode=0755 tmpfs /run
if ! /bin/arbor-prepare-root /sysroot; then
  echo "initramfs: arbor-prepare-root failed; dropping to a shell"
  exec sh
fi
for fs in dev proc sys run; do mount --move /$fs /sysroot/$fs; done
exec switch_root /sysroot /sbin/init`;

/**
 * The test OS's initramfs: busybox, the virtio and ext4 modules of the test kernel, and
 * boot/arbor-prepare-root. A few MB, uncompressed: the kernel unpacks it in a blink under
 * TCG, where a dracut image of a whole distribution would cost seconds.
 */
export function buildTestInitramfs(kernel: TestKernel): Buffer {
  return buildInitramfs({
    script: PREPARE_AND_SWITCH,
    modules: BOOT_MODULES,
    kernel,
    files: { '/bin/arbor-prepare-root': fs.readFileSync(PREPARE_ROOT) },
  });
}
