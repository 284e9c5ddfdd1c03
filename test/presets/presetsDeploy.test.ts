import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GrubEnv, menuEntries, parseGrubScript } from '@arbor/plugin-grub';
import { bootctlListing } from '../boot/BootSysroot';
import { OS_PACKAGES } from '../compose/composeFixture';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { grubEditenv, grubEditenvList, grubScriptCheck } from '../grub/grubTools';
import { FIXTURES } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';
import { PresetLab, type StatusJson } from './PresetLab';

const SELINUX_FIXTURE = path.join(FIXTURES, 'selinux/debian12-refpolicy-default');
const POLICY_FILES = '/etc/selinux/refpolicy/contexts/files';
const KVER = '6.1.0-1.demo';

/** A kernel package as Fedora ships one: vmlinuz and an initramfs under usr/lib/modules/<kver>. */
const KERNEL: TestPackage = {
  name: 'kernel-core', version: '6.1.0', release: '1',
  files: { [`/usr/lib/modules/${KVER}/vmlinuz`]: 'not really a kernel\n', [`/usr/lib/modules/${KVER}/initramfs.img`]: 'not really an initramfs\n' },
};

/** The policy package of test/selinux: the config naming the policy, and its file contexts. */
const POLICY: TestPackage = {
  name: 'demo-selinux-policy', version: '2.20221101', requires: ['demo-filesystem'],
  files: {
    '/etc/selinux': { dir: true },
    '/etc/selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=refpolicy\n',
    ...Object.fromEntries(['file_contexts', 'file_contexts.homedirs', 'file_contexts.subs_dist'].map((name) =>
      [path.posix.join(POLICY_FILES, name), fs.readFileSync(path.join(SELINUX_FIXTURE, name), 'latin1')])),
  },
};

const OS_RELEASE = { content: 'NAME="Preset OS"\nPRETTY_NAME="Preset OS"\nID=presetos\n' };

/** The RPM repo fedora-style presets compose from, built once with rpmbuild and createrepo_c. */
function buildRpmRepo(dir: string): string {
  const repo = path.join(dir, 'rpms');
  const filesystem = OS_PACKAGES.find((pkg) => pkg.name === 'demo-filesystem')!;
  const withRelease = { ...filesystem, files: { ...filesystem.files, '/usr/lib/os-release': OS_RELEASE } };
  buildTestRepo(repo, [withRelease, ...OS_PACKAGES.filter((pkg) => pkg !== filesystem && pkg.name !== 'kernel-demo'), KERNEL, POLICY], path.join(dir, 'rpmbuild'));
  return repo;
}

/** A root filesystem as debootstrap or a container export leaves one: /etc, /var, a kernel in /boot. */
function writeRootfs(dir: string, kernelNames: { vmlinuz: string; initramfs: string }): void {
  writeTree(dir, {
    'usr/bin/hello': '#!/bin/sh\necho hello\n',
    'usr/lib/os-release': 'NAME="Rootfs OS"\nPRETTY_NAME="Rootfs OS"\nID=rootfsos\n',
    'etc/hostname': 'rootfs\n',
    'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\nsvc:x:998:997::/var/lib/svc:/usr/sbin/nologin\n',
    'var/lib/svc/state': 'fresh\n',
    [`boot/${kernelNames.vmlinuz}`]: 'not really a kernel\n',
    [`boot/${kernelNames.initramfs}`]: 'not really an initramfs\n',
  });
  fs.chmodSync(path.join(dir, 'usr/bin/hello'), 0o755);
  fs.chownSync(path.join(dir, 'var/lib/svc'), 998, 997);
  fs.chownSync(path.join(dir, 'var/lib/svc/state'), 998, 997);
  fs.symlinkSync('usr/bin', path.join(dir, 'bin'));
  execFileSync('setfattr', ['-n', 'user.origin', '-v', 'rootfs', path.join(dir, 'usr/bin/hello')]);
}

/** GNU tar's archive of `dir`, with xattrs, as `tar --xattrs -C dir -cf out .` makes it. */
function gnuTar(dir: string, out: string, ...compress: string[]): string {
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', ...compress, '-C', dir, '-cf', out, '.']);
  return out;
}

/** BLS entries a deploy wrote under `dir`, as key -> value maps, by file name. */
function blsEntries(dir: string): Map<string, Map<string, string>> {
  const entries = new Map<string, Map<string, string>>();
  for (const name of fs.readdirSync(dir).sort()) {
    const fields = new Map<string, string>();
    for (const line of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) {
      const match = /^(\S+)\s+(.*)$/.exec(line);
      if (match) fields.set(match[1]!, match[2]!);
    }
    entries.set(name, fields);
  }
  return entries;
}

/** The deployment's kernel arg `arbor=` resolves to the deployment itself. */
function assertArborArg(lab: PresetLab, options: string, status: StatusJson): void {
  const link = /arbor=(\S+)/.exec(options)![1]!;
  assert.equal(fs.realpathSync(path.join(lab.sysroot, link)), fs.realpathSync(status.deployments[0]!.path));
}

describe('each shipped preset composes and deploys a tree', function () {
  this.timeout(5 * 60_000);
  const tmp = useTempDir('arbor-presets-e2e-');
  let rpmRepo: string | undefined;
  const rpms = (): string => (rpmRepo ??= buildRpmRepo(fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'arbor-presets-rpms-'))));
  after(() => {
    if (rpmRepo) fs.rmSync(path.dirname(rpmRepo), { recursive: true, force: true });
  });

  const FEDORA_TREEFILE = (repo: string) => ({
    ref: 'preset/fedora', repos: [repo], packages: ['hello', 'kernel-core', 'demo-selinux-policy'], selinux: true, recommends: false,
  });

  it('fedora: RPMs with an rpmdb and SELinux labels, GRUB in BLS mode with the default in grubenv', function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'grub-editenv', 'rpm');
    requireRoot(this);
    const lab = new PresetLab(tmp(), 'fedora');
    const { commit } = lab.compose(FEDORA_TREEFILE(rpms()));
    lab.initSysroot('grub', (sysroot) => {
      // What grub2-install leaves on Fedora: the modules with blscfg, and a grubenv made by grub-editenv.
      fs.mkdirSync(path.join(sysroot, 'boot/grub2/x86_64-efi'), { recursive: true });
      fs.writeFileSync(path.join(sysroot, 'boot/grub2/x86_64-efi/blscfg.mod'), '');
      grubEditenv(path.join(sysroot, 'boot/grub2/grubenv'), 'create');
    });
    const status = lab.deploy('preset/fedora');
    const root = lab.assertDeployed(status, commit, { 'usr/share/greeting/text': 'hello, world\n', 'etc/hello.conf': 'greeting=plain\n' });
    // BLS mode: an entry per deployment, and grub-editenv reads saved_entry naming it.
    const entries = blsEntries(lab.file('boot/loader/entries'));
    assert.equal(entries.size, 1);
    const [name, entry] = [...entries][0]!;
    assert.equal(entry.get('title'), 'Preset OS (arbor:os:0)');
    assertArborArg(lab, entry.get('options')!, status);
    assert.ok(fs.existsSync(lab.file(path.join('boot', entry.get('linux')!))));
    const env = grubEditenvList(lab.file('boot/grub2/grubenv'));
    assert.match(env, new RegExp(`^saved_entry=${name.replace(/\.conf$/, '')}$`, 'm'));
    assert.equal(GrubEnv.parse(fs.readFileSync(lab.file('boot/grub2/grubenv')), 'grubenv').get('saved_entry'), name.replace(/\.conf$/, ''));
    assert.ok(!fs.existsSync(lab.file('boot/grub2/grub.cfg')), 'BLS mode leaves grub.cfg to the distribution');
    // The rpmdb Debian's rpm reads, and SELinux labels from the tree's own policy.
    const names = execFileSync('rpm', ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm', '-qa', '--qf', '%{NAME}\n'], { encoding: 'utf8' }).trim().split('\n').sort();
    assert.deepEqual(names, ['demo-filesystem', 'demo-selinux-policy', 'greeting', 'hello', 'kernel-core']);
    const label = execFileSync('getfattr', ['--absolute-names', '--only-values', '-h', '-n', 'security.selinux', path.join(root, 'usr/bin/hello')]).toString();
    assert.equal(label, 'system_u:object_r:bin_t:s0\0');
  });

  it('fedora-systemd-boot: the same tree, booted by systemd-boot with boot counting (bootctl)', function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'bootctl', 'mount');
    requireRoot(this);
    const lab = new PresetLab(tmp(), 'fedora-systemd-boot');
    const { commit } = lab.compose(FEDORA_TREEFILE(rpms()));
    lab.initSysroot('systemd-boot', (sysroot) => fs.mkdirSync(path.join(sysroot, 'boot/efi'), { recursive: true }));
    const status = lab.deploy('preset/fedora');
    lab.assertDeployed(status, commit, { 'usr/share/greeting/text': 'hello, world\n' });
    const esp = lab.file('boot/efi');
    const { entries, defaultId } = bootctlListing(esp);
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.equal(entry!.title, 'Preset OS (arbor:os:0)');
    assert.equal(defaultId, entry!.id);
    // The preset's one overridden option: 3 tries, as a +3 in the entry's file name.
    assert.equal(entry!.triesLeft, 3);
    assertArborArg(lab, entry!.options!, status);
    for (const file of [entry!.linux!, ...(entry!.initrd ?? [])]) assert.ok(fs.existsSync(path.join(esp, file)), file);
  });

  it('debian: a debootstrap-style tarball, a generated grub.cfg that grub-script-check accepts', function () {
    requireTool(this, 'tar', 'grub-script-check', 'setfattr');
    requireRoot(this);
    const lab = new PresetLab(tmp(), 'debian');
    const rootfs = path.join(lab.dir, 'rootfs');
    writeRootfs(rootfs, { vmlinuz: 'vmlinuz-6.1.0-18-amd64', initramfs: 'initrd.img-6.1.0-18-amd64' });
    const tarball = gnuTar(rootfs, path.join(lab.dir, 'rootfs.tar.gz'), '-z');
    const { commit } = lab.compose({ ref: 'preset/debian', repos: [{ kind: 'tar', url: tarball }], packages: [] });
    lab.initSysroot('grub');
    const status = lab.deploy('preset/debian');
    const root = lab.assertDeployed(status, commit, { 'etc/hostname': 'rootfs\n', 'usr/bin/hello': '#!/bin/sh\necho hello\n' });
    assert.equal(fs.readFileSync(path.join(root, 'usr/lib/modules/6.1.0-18-amd64/initramfs.img'), 'utf8'), 'not really an initramfs\n');
    const cfg = lab.file('boot/grub/grub.cfg');
    const verdict = grubScriptCheck(cfg);
    assert.ok(verdict.ok, verdict.output);
    const entries = menuEntries(parseGrubScript(fs.readFileSync(cfg, 'utf8'), cfg)).filter((entry) => entry.id?.startsWith('arbor-'));
    assert.deepEqual(entries.map((entry) => entry.title), ['Rootfs OS (arbor:os:0)']);
    const [kernel, ...cmdline] = entries[0]!.linux!;
    assert.ok(fs.existsSync(path.join(lab.sysroot, kernel!)), kernel);
    assert.ok(fs.existsSync(path.join(lab.sysroot, entries[0]!.initrd![0]!)));
    assertArborArg(lab, cmdline.join(' '), status);
  });

  for (const form of ['directory', 'tar.zst tarball'] as const) {
    it(`minimal: a ${form} as the tree, systemd-boot entries bootctl lists`, function () {
      requireTool(this, 'bootctl', 'mount', 'setfattr', ...(form === 'directory' ? [] : ['tar', 'zstd']));
      requireRoot(this);
      const lab = new PresetLab(tmp(), 'minimal');
      const rootfs = path.join(lab.dir, 'rootfs');
      writeRootfs(rootfs, { vmlinuz: 'vmlinuz-6.6.0', initramfs: 'initramfs-6.6.0.img' });
      const repo = form === 'directory' ? { kind: 'dir', url: './rootfs' } : { kind: 'tar', url: gnuTar(rootfs, path.join(lab.dir, 'rootfs.tar.zst'), '--zstd') };
      const { commit } = lab.compose({ ref: 'preset/minimal', repos: [repo], packages: [] });
      lab.initSysroot('systemd-boot', (sysroot) => fs.mkdirSync(path.join(sysroot, 'boot/efi'), { recursive: true }));
      const status = lab.deploy('preset/minimal');
      const root = lab.assertDeployed(status, commit, { 'etc/hostname': 'rootfs\n', 'usr/etc/hostname': 'rootfs\n' });
      // Modes, symlinks and xattrs came through.
      const hello = fs.lstatSync(path.join(root, 'usr/bin/hello'));
      assert.equal(hello.mode & 0o7777, 0o755);
      assert.equal(fs.readlinkSync(path.join(root, 'bin')), 'usr/bin');
      assert.equal(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'user.origin', path.join(root, 'usr/bin/hello')]).toString(), 'rootfs');
      // /var became tmpfiles.d lines, with the owner the tree's passwd names for uid 998.
      const autovar = fs.readFileSync(path.join(root, 'usr/lib/tmpfiles.d/arbor-autovar.conf'), 'utf8');
      assert.match(autovar, /^d \/var\/lib\/svc 0755 svc 997 - -$/m);
      const { entries, defaultId } = bootctlListing(lab.file('boot/efi'));
      assert.deepEqual(entries.map((entry) => entry.title), ['Rootfs OS (arbor:os:0)']);
      assert.equal(defaultId, entries[0]!.id);
      assert.equal(entries[0]!.triesLeft, undefined, 'minimal keeps systemd-boot\'s defaults: no boot counting');
      assertArborArg(lab, entries[0]!.options!, status);
    });
  }
});
