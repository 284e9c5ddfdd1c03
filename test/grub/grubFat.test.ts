import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootEntry } from '@arbor/core';
import { fsckFat, makeFatImage } from '../support/qemu';
import { requireTool } from '../support/requireTool';
import { GrubSysroot } from './grubSysroot';

/** test/boot's preload that holds arbor processes to FAT's rules on the directories it is given. */
const FAT_RULES = path.join(__dirname, '..', 'boot', 'fatRules.js');

/**
 * GRUB with /boot on FAT, in both modes. This kernel has no vfat driver, so the FAT rules
 * preload refuses symlink() and link() under SYSROOT/boot as vfat does and logs every attempt
 * and every name that clashes with a sibling but for case; then /boot is copied into a real
 * FAT image for fsck.fat, and GRUB's own tools read what is there.
 */
describe('grub with /boot on FAT: renames only, in both modes', function () {
  this.timeout(180_000);
  let scratch: string;

  before(function () {
    requireTool(this, 'grub-script-check', 'grub-editenv', 'mkfs.fat', 'mcopy', 'fsck.fat');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-fat-'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  function fatSysroot(name: string, bootloaderOptions: Record<string, unknown>, errno: string) {
    const log = path.join(scratch, `${name}.fat.log`);
    fs.writeFileSync(log, '');
    const env = {
      NODE_OPTIONS: `--require ${FAT_RULES}`,
      ARBOR_TEST_FAT_DIRS: path.join(scratch, name, 'boot'),
      ARBOR_TEST_FAT_LOG: log,
      ARBOR_TEST_FAT_ERRNO: errno,
    };
    const sysroot = GrubSysroot.init(scratch, bootloaderOptions, env, name);
    return { sysroot, log: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  }

  async function lifecycle(sysroot: GrubSysroot, check: (step: string) => void): Promise<void> {
    await sysroot.commit(scratch, { version: '1', etc: {} });
    sysroot.run('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2');
    check('deploy');
    await sysroot.commit(scratch, { version: '2', etc: {}, kernelVersion: '6.1.0' });
    sysroot.run('upgrade');
    check('upgrade');
    sysroot.run('rollback');
    check('rollback');
    await sysroot.commit(scratch, { version: '3', etc: {}, kernelVersion: '6.2.0' });
    sysroot.run('upgrade');
    sysroot.run('cleanup');
    check('cleanup');
  }

  /** /boot as a real FAT image: fsck.fat -n finds nothing to fix. */
  function assertFatClean(sysroot: GrubSysroot, label: string): void {
    const image = makeFatImage(path.join(scratch, `${label}.img`), { from: sysroot.file('boot'), sizeMiB: 64 });
    const verdict = fsckFat(image);
    assert.ok(verdict.clean, `fsck.fat -n ${label}: ${verdict.output}`);
  }

  it('generated mode: grub.cfg replaced by rename after every step, grub-script-check accepts it, fsck.fat is clean', async () => {
    const { sysroot, log } = fatSysroot('generated', { mode: 'generated' }, 'EPERM');
    await lifecycle(sysroot, (step) => {
      sysroot.assertGrubCfgMatchesStatus();
      assert.deepEqual(log(), [], `${step}: no symlink, link or case clash on /boot`);
      assertFatClean(sysroot, `generated-${step}`);
    });
  });

  for (const errno of ['EPERM', 'ENOSYS']) {
    it(`BLS mode (symlink fails with ${errno}): entries by renames alone, saved_entry names the default's entry`, async () => {
      const { sysroot, log } = fatSysroot(`bls-${errno}`, { mode: 'bls' }, errno);
      fs.mkdirSync(sysroot.file('boot/grub2'), { recursive: true });
      await lifecycle(sysroot, (step) => {
        const status = sysroot.state().deployments;
        const saved = sysroot.grubenv('boot/grub2/grubenv').get('saved_entry');
        const entryFile = sysroot.file(`boot/loader/entries/${saved}.conf`);
        assert.ok(fs.existsSync(entryFile), `${step}: saved_entry ${saved} is an entry in boot/loader/entries`);
        const entry = BootEntry.parse(fs.readFileSync(entryFile, 'utf8'));
        assert.equal(entry.get('title'), `Arbor Test OS ${status[0]!.version} (arbor:os:0)`, `${step}: the saved entry is the default deployment's`);
        assert.equal(fs.readdirSync(sysroot.file('boot/loader/entries')).length, status.length, `${step}: one entry per deployment`);
        // Only the probe's refused symlink may be in the log: nothing was linked, nothing clashed.
        assert.deepEqual(log().filter((line) => !/^symlink .*symlink-probe/.test(line)), [], `${step}: FAT rules kept`);
        assertFatClean(sysroot, `bls-${errno}-${step}`);
      });
    });
  }
});
