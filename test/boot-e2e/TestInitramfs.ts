import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/runArbor';
import type { DebianKernel } from './DebianKernel';

export const PREPARE_ROOT = path.join(REPO_ROOT, 'boot', 'arbor-prepare-root');

/**
 * The initramfs's /init: load the disk and ext4 modules, let arbor-prepare-root mount the root
 * and assemble the deployment at /sysroot, then switch_root into it. A failure prints
 * arbor-prepare-root's line and drops to a shell on the console, as the real hooks do.
 */
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs -o mode=0755 tmpfs /run
for module in $(cat /lib/modules/load-order); do
  insmod /lib/modules/$module.ko || echo "initramfs: cannot load $module"
done
if ! arbor-prepare-root /sysroot; then
  echo "initramfs: arbor-prepare-root failed; dropping to a shell"
  exec sh
fi
for fs in dev proc sys run; do mount --move /$fs /sysroot/$fs; done
exec switch_root /sysroot /sbin/init
`;

/**
 * Builds a small initramfs (newc cpio, gzip) from the host's static busybox, the kernel's
 * virtio and ext4 modules and boot/arbor-prepare-root: a few MB, so the kernel unpacks it in a
 * blink under TCG, where a dracut image of a whole distribution would cost seconds.
 */
export function buildTestInitramfs(kernel: DebianKernel, out: string, work: string): void {
  const root = path.join(work, 'initramfs-root');
  fs.rmSync(root, { recursive: true, force: true });
  for (const dir of ['bin', 'dev', 'proc', 'sys', 'run', 'sysroot', 'lib/modules']) fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
  fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
  fs.copyFileSync(PREPARE_ROOT, path.join(root, 'bin', 'arbor-prepare-root'));
  fs.chmodSync(path.join(root, 'bin', 'arbor-prepare-root'), 0o755);
  fs.writeFileSync(path.join(root, 'init'), INIT, { mode: 0o755 });
  for (const [name, file] of kernel.modules) fs.copyFileSync(file, path.join(root, 'lib', 'modules', `${name}.ko`));
  fs.writeFileSync(path.join(root, 'lib', 'modules', 'load-order'), `${[...kernel.modules.keys()].join('\n')}\n`);
  // The kernel opens /dev/console for init's stdio before /init can mount devtmpfs.
  execFileSync('mknod', ['-m', '600', path.join(root, 'dev', 'console'), 'c', '5', '1']);
  const files = execFileSync('find', ['.', '-mindepth', '1'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  const archive = execFileSync('cpio', ['--quiet', '-o', '-H', 'newc', '-R', '0:0'], { cwd: root, input: `${files.join('\n')}\n`, maxBuffer: 256 << 20 });
  execFileSync('gzip', ['-1', '-n'], { input: archive, maxBuffer: 256 << 20, stdio: ['pipe', fs.openSync(out, 'w'), 'inherit'] });
}
