// The sample OS the demo and docs/guide.md compose: a real Debian kernel with an initramfs that
// runs boot/arbor-prepare-root, a busybox userland whose init reports on the serial console
// what it booted, a small SELinux policy for compose-time labels, and one extra package to
// layer. Its pieces are the boot tests' (test/boot-e2e, test/support/qemu), reached through
// test/dist, which `npm run build` (and so `npm run demo`) compiles.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const requireTestDist = createRequire(path.join(REPO_ROOT, 'test', 'dist', 'package.json'));
/** A module of the compiled tests (test/dist/<area>/<file>.js). */
export function testModule(relative) {
  return requireTestDist(`./${relative}.js`);
}

/** The sample OS's ref, stateroot and the kernel command line its boots use. */
export const SAMPLE_REF = 'sample/x86_64/os';
export const SAMPLE_PACKAGES = ['sample-os', 'sample-kernel'];
export const LAYERED_PACKAGE = 'sample-hello';

/**
 * The init (/usr/sbin/init): one `SAMPLE-<WHAT> value` line each on ttyS0, then power off.
 * The booted deployment is the one whose directory is / (same device and inode), as
 * `arbor status` finds it on a running system.
 */
export const SAMPLE_INIT = `#!/bin/sh
export PATH=/usr/bin:/usr/sbin
exec >/dev/ttyS0 2>&1
mount -t proc proc /proc 2>/dev/null
. /usr/lib/os-release
root=$(stat -c %d:%i /)
for dir in /sysroot/arbor/deploy/*/deploy/*; do
  [ -d "$dir" ] && [ "$(stat -c %d:%i "$dir")" = "$root" ] && booted=\${dir##*/}
done
echo "SAMPLE-BOOTED \${booted:-none} $PRETTY_NAME $VERSION"
echo "SAMPLE-MOTD $(head -n1 /etc/motd)"
echo "SAMPLE-HELLO $(hello 2>/dev/null || echo not installed)"
if touch /usr/stray 2>/dev/null; then echo "SAMPLE-USR writable"; else echo "SAMPLE-USR read-only"; fi
count=$(cat /var/lib/sample/boots 2>/dev/null || echo 0)
mkdir -p /var/lib/sample && echo $((count + 1)) >/var/lib/sample/boots
echo "SAMPLE-BOOTS $((count + 1))"
sync
poweroff -f
`;

/** A three-line policy: enough for compose to label every file as Fedora's targeted policy would shape it. */
const FILE_CONTEXTS = `/.*\tsystem_u:object_r:default_t:s0
/usr(/.*)?\tsystem_u:object_r:usr_t:s0
/usr/s?bin(/.*)?\tsystem_u:object_r:bin_t:s0
/etc(/.*)?\tsystem_u:object_r:etc_t:s0
/var(/.*)?\tsystem_u:object_r:var_t:s0
`;

/** The base package of version `version`: its /etc/motd default is what changes between versions. */
export function samplePackage(version) {
  const { basePackage } = testModule('boot-e2e/TestOs');
  const base = basePackage({ version: String(version), motd: '' });
  const busybox = Object.fromEntries(Object.entries(base.files).filter(([, spec]) => typeof spec === 'object' && spec.symlink === 'busybox'));
  const dirs = ['/dev', '/proc', '/sys', '/run', '/tmp', '/sysroot', '/boot', '/var', '/etc', '/etc/yum.repos.d', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib'];
  return {
    name: 'sample-os',
    version: String(version),
    requires: ['sample-kernel'],
    files: {
      ...Object.fromEntries(dirs.map((dir) => [dir, { dir: true }])),
      '/bin': { symlink: 'usr/bin' },
      '/sbin': { symlink: 'usr/sbin' },
      '/usr/sbin/init': { content: SAMPLE_INIT, mode: 0o755 },
      '/usr/lib/os-release': `NAME="Arbor Sample"\nPRETTY_NAME="Arbor Sample OS"\nID=arbor-sample\nVERSION="${version}"\nVERSION_ID=${version}\n`,
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
      '/etc/group': 'root:x:0:\n',
      '/etc/motd': `Welcome to the Arbor sample OS, release ${version}.\n`,
      '/etc/selinux/config': 'SELINUX=permissive\nSELINUXTYPE=targeted\n',
      '/etc/selinux/targeted/contexts/files/file_contexts': FILE_CONTEXTS,
      ...busybox,
    },
    hostFiles: base.hostFiles,
  };
}

/** A package to layer on top of the image: `hello` prints one line. */
export function helloPackage() {
  return {
    name: LAYERED_PACKAGE,
    version: '1.0',
    files: { '/usr/bin/hello': { content: '#!/bin/sh\necho "hello from a layered package"\n', mode: 0o755 } },
  };
}

/**
 * The kernel package: the boot tests' Debian kernel (downloaded once with apt-get into the test
 * cache), its virtio and ext4 modules, and an initramfs with arbor-prepare-root.
 */
export function kernelPackage(work) {
  const { testKernel } = testModule('support/qemu/index');
  const { buildTestInitramfs } = testModule('boot-e2e/TestInitramfs');
  const { kernelPackage: bootKernelPackage } = testModule('boot-e2e/TestOs');
  const kernel = testKernel();
  const initramfs = path.join(work, 'initramfs.img');
  fs.writeFileSync(initramfs, buildTestInitramfs(kernel));
  return { ...bootKernelPackage(kernel, initramfs), name: 'sample-kernel' };
}

/**
 * Builds RPMs of the sample OS into `dir` with rpmbuild and indexes them with createrepo_c.
 * Version 1 brings the kernel and the package to layer; a later version adds its sample-os
 * beside the earlier one, as a distribution's repo grows.
 */
export function buildSampleRpms(dir, version, work) {
  const { buildTestRepo } = testModule('compose/TestRpmRepo');
  fs.mkdirSync(work, { recursive: true });
  // The tests' RPM cache would otherwise outlive the demo in the system's temp dir.
  process.env.ARBOR_TEST_FIXTURE_CACHE ??= path.join(work, 'rpm-cache');
  const packages = version === 1 ? [samplePackage(1), kernelPackage(work), helloPackage()] : [samplePackage(version)];
  return buildTestRepo(dir, packages, work);
}
