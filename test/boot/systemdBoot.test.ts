import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { fsckFat, makeFatImage } from '../support/qemu';
import { BootSysroot, bootctlDefaultTitle, bootctlEntries, entriesIn, filesUnder, type BootFiles } from './BootSysroot';

const kernel = (tag: string): BootFiles => ({ kernelVersion: '6.1.0-test', vmlinuz: `vmlinuz ${tag}\n`, initramfs: `initramfs ${tag}\n` });

/**
 * The systemd-boot writer against systemd's own reader (bootctl list) and dosfstools' checker
 * (fsck.fat -n on a FAT image built from the ESP with mkfs.fat + mcopy), after each of deploy,
 * upgrade, rollback and cleanup.
 */
describe('systemd-boot: the ESP after deploy, upgrade, rollback and cleanup (bootctl, fsck.fat)', function () {
  this.timeout(180_000);
  let scratch: string;
  let sysroot: BootSysroot;
  const commits: string[] = [];

  before(async function () {
    requireTool(this, 'bootctl', 'mount', 'mkfs.fat', 'mcopy', 'fsck.fat');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-sdboot-'));
    sysroot = BootSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'systemd-boot' });
    // The admin's settings, which our rewrite of loader.conf must keep.
    fs.mkdirSync(path.join(sysroot.esp, 'loader'), { recursive: true });
    fs.writeFileSync(path.join(sysroot.esp, 'loader', 'loader.conf'), '# set by the admin\ntimeout 3\neditor no\n');
    for (const version of ['1', '2', '3']) commits.push(await sysroot.commit(scratch, version, kernel(version), version === '3' ? 'os/next' : 'os/x86_64'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /**
   * bootctl lists exactly the deployments `arbor status` has, in its order, with index 0 as the
   * default; every file an entry names is on the ESP with the bytes /boot has; nothing else is
   * under ESP/arbor; and the ESP copied into a FAT image passes fsck.fat -n.
   */
  function assertEspMatchesStatus(): void {
    const status = sysroot.status().deployments;
    const listed = bootctlEntries(sysroot.esp);
    assert.deepEqual(
      listed.map((entry) => entry.title),
      status.map((deployment) => `Arbor Test OS ${deployment.version} (arbor:os:${deployment.index})`),
    );
    assert.equal(bootctlDefaultTitle(sysroot.esp), `Arbor Test OS ${status[0]!.version} (arbor:os:0)`);
    const named = new Set<string>();
    listed.forEach((entry, index) => {
      assert.equal(sysroot.resolveArborArgument(entry.options ?? ''), `${status[index]!.commit}.${status[index]!.serial}`, `${entry.id} boots deployment ${index}`);
      for (const file of [entry.linux!, ...(entry.initrd ?? [])]) {
        named.add(file.replace(/^\//, ''));
        assert.deepEqual(fs.readFileSync(path.join(sysroot.esp, file)), fs.readFileSync(path.join(sysroot.root, 'boot', file)), `${entry.id}: ${file} is complete on the ESP`);
      }
    });
    assert.deepEqual(filesUnder(path.join(sysroot.esp, 'arbor')).map((file) => `arbor/${file}`), [...named].sort(), 'the ESP holds exactly the kernels the entries name');
    const conf = fs.readFileSync(path.join(sysroot.esp, 'loader', 'loader.conf'), 'utf8');
    assert.match(conf, /^# set by the admin\ntimeout 3\neditor no\ndefault arbor-[0-9a-f]{12}-\d+\.conf\n$/);
    const image = makeFatImage(path.join(scratch, 'esp.img'), { from: sysroot.esp, sizeMiB: 48 });
    const fsck = fsckFat(image);
    assert.ok(fsck.clean, fsck.output);
  }

  it('deploy: the ESP gets the entry, its kernel and initramfs, and loader.conf points at it', () => {
    sysroot.run('deploy', commits[0]!, '--karg', 'console=ttyS0');
    assertEspMatchesStatus();
  });

  it('upgrade: both deployments are listed and the new one is the default', () => {
    sysroot.run('deploy', commits[1]!);
    assertEspMatchesStatus();
    assert.equal(bootctlEntries(sysroot.esp).length, 2);
  });

  it('rollback: the old deployment becomes the default', () => {
    sysroot.run('rollback');
    assertEspMatchesStatus();
    assert.equal(sysroot.status().deployments[0]!.commit, commits[0]);
  });

  it('cleanup: a third deployment pushes one out, and its kernel leaves the ESP and /boot', () => {
    // --keep 2: retention would otherwise push it out at once; here cleanup does.
    sysroot.run('deploy', commits[2]!, '--keep', '2');
    assert.equal(sysroot.status().deployments.length, 3);
    assertEspMatchesStatus();
    sysroot.run('cleanup');
    assertEspMatchesStatus();
    const kept = filesUnder(path.join(sysroot.esp, 'arbor'));
    assert.equal(kept.length, 4, `two deployments, two kernels and two initramfs images: ${kept.join(', ')}`);
    assert.deepEqual(filesUnder(path.join(sysroot.root, 'boot', 'arbor')), kept, '/boot keeps the same kernels as the ESP');
  });

  it('keeps a default the admin set, and still replaces our entries', () => {
    const conf = path.join(sysroot.esp, 'loader', 'loader.conf');
    fs.writeFileSync(conf, 'timeout 3\ndefault custom-*\n');
    sysroot.run('rollback');
    assert.equal(fs.readFileSync(conf, 'utf8'), 'timeout 3\ndefault custom-*\n');
    const titles = [...entriesIn(sysroot.esp).values()].map((entry) => entry.get('title'));
    assert.equal(titles.length, 2);
    fs.writeFileSync(conf, '# set by the admin\ntimeout 3\neditor no\n');
    sysroot.run('rollback');
    assertEspMatchesStatus();
  });
});

describe('systemd-boot: boot counting and XBOOTLDR', function () {
  this.timeout(120_000);
  let scratch: string;

  before(function () {
    requireTool(this, 'bootctl', 'mount');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-sdboot-opts-'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('names new entries ID+3.conf, which bootctl reads as 3 tries left, and the default is a glob over the new set', async () => {
    const sysroot = BootSysroot.create(path.join(scratch, 'counting'), { bootloader: 'systemd-boot', bootloaderOptions: { bootCounting: true } });
    const one = await sysroot.commit(scratch, '1', kernel('1'));
    const two = await sysroot.commit(scratch, '2', kernel('2'));
    sysroot.run('deploy', one);
    sysroot.run('deploy', two);
    const names = [...entriesIn(sysroot.esp).keys()];
    assert.equal(names.length, 2);
    for (const name of names) assert.match(name, /^arbor-[0-9a-f]{12}-\d\+3\.conf$/);
    const listed = bootctlEntries(sysroot.esp);
    assert.deepEqual(listed.map((entry) => [entry.title, entry.triesLeft]), [
      ['Arbor Test OS 2 (arbor:os:0)', 3],
      ['Arbor Test OS 1 (arbor:os:1)', 3],
    ]);
    assert.equal(bootctlDefaultTitle(sysroot.esp), 'Arbor Test OS 2 (arbor:os:0)');
    assert.match(fs.readFileSync(path.join(sysroot.esp, 'loader', 'loader.conf'), 'utf8'), /^default arbor-[0-9a-f]{12}-\*\n$/);

    // systemd-boot counts a try by renaming the file; the next write must keep only new names.
    const [first] = names;
    fs.renameSync(path.join(sysroot.esp, 'loader', 'entries', first!), path.join(sysroot.esp, 'loader', 'entries', first!.replace('+3', '+2-1')));
    sysroot.run('rollback');
    assert.deepEqual(bootctlEntries(sysroot.esp).map((entry) => [entry.title, entry.triesLeft]), [
      ['Arbor Test OS 1 (arbor:os:0)', 3],
      ['Arbor Test OS 2 (arbor:os:1)', 3],
    ]);
  });

  it('with XBOOTLDR, puts entries and kernels there and only loader.conf on the ESP', async () => {
    const xbootldr = path.join(scratch, 'xbootldr-part');
    fs.mkdirSync(xbootldr, { recursive: true });
    const sysroot = BootSysroot.create(path.join(scratch, 'xbootldr'), { bootloader: 'systemd-boot', bootloaderOptions: { xbootldr } });
    sysroot.run('deploy', await sysroot.commit(scratch, '1', kernel('x1')));
    assert.deepEqual(filesUnder(sysroot.esp), ['loader/loader.conf']);
    assert.equal(entriesIn(xbootldr).size, 1);
    const listed = bootctlEntries(sysroot.esp, xbootldr);
    assert.deepEqual(listed.map((entry) => entry.title), ['Arbor Test OS 1 (arbor:os:0)']);
    for (const file of [listed[0]!.linux!, ...(listed[0]!.initrd ?? [])]) assert.ok(fs.existsSync(path.join(xbootldr, file)), file);
  });

  it('turns an errno on the ESP into one ArborError line naming the path and the filesystem', async () => {
    const sysroot = BootSysroot.create(path.join(scratch, 'broken'), { bootloader: 'systemd-boot' });
    const commit = await sysroot.commit(scratch, '1', kernel('b1'));
    fs.mkdirSync(path.join(sysroot.esp, 'loader'), { recursive: true });
    fs.writeFileSync(path.join(sysroot.esp, 'loader', 'entries'), 'not a directory\n');
    const run = runArbor(['deploy', commit, '--sysroot', sysroot.root, '--config', sysroot.config, '--json']);
    assert.equal(run.status, 1, run.stderr);
    const error = (run.json() as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'ARBOR_BOOT_FILESYSTEM');
    assert.match(error.message, /\/loader\/entries/);
    assert.match(error.message, new RegExp(`on the ESP \\((ext4|tmpfs|xfs|btrfs|overlayfs|0x[0-9a-f]+) at ${sysroot.esp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): E[A-Z]+`));
  });
});
