import { execFileSync } from 'node:child_process';
import type { TestFile, TestPackage } from '../compose/TestRpmRepo';
import path from 'node:path';
import { moduleLoadOrder, type TestKernel } from '../support/qemu';
import { BOOT_MODULES } from './TestInitramfs';

/**
 * The test OS's init (/usr/sbin/init, which /sbin/init reaches): it reports on the serial
 * console what the boot test checks, one `ARBOR-<WHAT> <value>` line each, then powers off.
 *
 * - BOOTED: the commit and VERSION. The commit is found as `arbor status` finds the booted
 *   deployment: the deployment directory under /sysroot whose device and inode are those of /.
 * - LINK: where the kernel command line's arbor= link leads, read through /sysroot.
 * - USR: whether /usr takes a new file, and whether an existing (store-hardlinked) file can be
 *   appended to: the stray write that a read-only /usr must stop.
 * - ROOT, OPT-APPEND: the same outside /usr. A new top-level file, and an append to
 *   /opt/arbor-test/data, which is as much a hardlink of a store object as any file in /usr.
 * - ETC, MOTD: the /etc marker (the admin edits it) and a default that changes in v2.
 * - VAR: a counter kept in /var, incremented at each boot.
 */
export const OS_INIT = `#!/bin/sh
export PATH=/usr/bin:/usr/sbin
exec >/dev/ttyS0 2>&1
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sysfs /sys 2>/dev/null
. /usr/lib/os-release
root=$(stat -c %d:%i /)
booted=none
for dir in /sysroot/arbor/deploy/*/deploy/*; do
  [ -d "$dir" ] && [ "$(stat -c %d:%i "$dir")" = "$root" ] && booted=\${dir##*/}
done
echo "ARBOR-BOOTED \${booted%.*} $VERSION"
echo "ARBOR-DEPLOYMENT $booted"
for word in $(cat /proc/cmdline); do
  case "$word" in arbor=*) link=\${word#arbor=} ;; esac
done
echo "ARBOR-LINK $(readlink -f "/sysroot$link")"
if touch /usr/stray-write 2>/dev/null; then echo "ARBOR-USR writable"; else echo "ARBOR-USR read-only"; fi
if (echo stray >>/usr/lib/os-release) 2>/dev/null; then echo "ARBOR-USR-APPEND succeeded"; else echo "ARBOR-USR-APPEND refused"; fi
if touch /stray-write 2>/dev/null; then echo "ARBOR-ROOT writable"; else echo "ARBOR-ROOT read-only"; fi
if (echo stray >>/opt/arbor-test/data) 2>/dev/null; then echo "ARBOR-OPT-APPEND succeeded"; else echo "ARBOR-OPT-APPEND refused"; fi
echo "ARBOR-ETC $(cat /etc/arbor-test/marker)"
echo "ARBOR-MOTD $(cat /etc/arbor-test/motd)"
count=$(cat /var/lib/arbor-test/counter 2>/dev/null || echo 0)
count=$((count + 1))
mkdir -p /var/lib/arbor-test
echo "$count" >/var/lib/arbor-test/counter
echo "ARBOR-VAR $count"
sync
echo "ARBOR-DONE"
poweroff -f
`;

export interface OsVersionSpec {
  version: string;
  /** The default of /etc/arbor-test/motd: what changes between versions. */
  motd: string;
}

/** Every busybox applet as a link in /usr/bin (init is the OS's own script, in /usr/sbin). */
function busyboxLinks(): Record<string, TestFile> {
  const applets = execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const links: Record<string, TestFile> = {};
  for (const applet of applets) {
    if (applet === 'busybox' || applet === 'init' || applet === 'linuxrc' || applet.includes('/')) continue;
    links[`/usr/bin/${applet}`] = { symlink: 'busybox' };
  }
  return links;
}

/** The base package: busybox, the init, os-release with VERSION, /etc defaults, a file in /opt, mount points. */
export function basePackage(spec: OsVersionSpec): TestPackage {
  const dirs = ['/dev', '/proc', '/sys', '/run', '/tmp', '/sysroot', '/boot', '/var', '/etc', '/etc/arbor-test', '/opt', '/opt/arbor-test', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib'];
  return {
    name: 'arbor-test-os',
    version: spec.version,
    files: {
      ...Object.fromEntries(dirs.map((dir) => [dir, { dir: true } as TestFile])),
      '/bin': { symlink: 'usr/bin' },
      '/sbin': { symlink: 'usr/sbin' },
      '/usr/sbin/init': { content: OS_INIT, mode: 0o755 },
      '/usr/lib/os-release': `NAME="Arbor Boot Test"\nPRETTY_NAME="Arbor Boot Test"\nID=arbor-boot-test\nVERSION="${spec.version}"\n`,
      '/opt/arbor-test/data': `data of ${spec.version}\n`,
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
      '/etc/group': 'root:x:0:\n',
      '/etc/arbor-test/marker': 'default marker\n',
      '/etc/arbor-test/motd': `${spec.motd}\n`,
      ...busyboxLinks(),
    },
    hostFiles: { '/usr/bin/busybox': '/bin/busybox' },
  };
}

/**
 * The kernel package: vmlinuz, the modules the boot needs (at their usual paths; the initramfs
 * carries its own copies) and the test initramfs, all under usr/lib/modules/<kver>/.
 */
export function kernelPackage(kernel: TestKernel, initramfs: string): TestPackage {
  const dir = `/usr/lib/modules/${kernel.version}`;
  const hostFiles: Record<string, string> = {
    [`${dir}/vmlinuz`]: kernel.vmlinuz,
    [`${dir}/initramfs.img`]: initramfs,
  };
  for (const relative of moduleLoadOrder(kernel.modulesDir, BOOT_MODULES)) hostFiles[`${dir}/${relative}`] = path.join(kernel.modulesDir, relative);
  return { name: 'arbor-test-kernel', version: kernel.version.replace(/-/g, '_'), hostFiles };
}
