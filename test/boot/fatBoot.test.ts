import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { fsckFat, makeFatImage } from '../support/qemu';
import { BootSysroot, bootctlDefaultTitle, bootctlEntries, entriesIn, type BootFiles } from './BootSysroot';

const kernel = (tag: string): BootFiles => ({ kernelVersion: '6.1.0-test', vmlinuz: `vmlinuz ${tag}\n`, initramfs: `initramfs ${tag}\n` });
const FAT_RULES = path.join(__dirname, 'fatRules.js');

/** Every symlink under `dir` (FAT can hold none). */
function symlinksUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isSymbolicLink()) found.push(full);
      else if (entry.isDirectory()) walk(full);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return found;
}

/**
 * FAT's rules, held in every arbor process by the fatRules preload (this kernel has no vfat
 * driver to mount a real one): symlink() and link() on /boot and the ESP fail as vfat fails
 * them, and each attempt, and each name that clashes with a sibling but for case, is logged.
 * Then the partitions are copied into real FAT images (mkfs.fat + mcopy) for fsck.fat.
 */
describe('/boot and the ESP on FAT: no symlinks, no hardlinks, case-insensitive names', function () {
  this.timeout(240_000);
  let scratch: string;

  before(function () {
    requireTool(this, 'bootctl', 'mount', 'mkfs.fat', 'mcopy', 'fsck.fat');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-fat-'));
    fs.mkdirSync(path.join(scratch, 'empty-esp'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const fatSysroot = (name: string, bootloader: 'bls' | 'systemd-boot', errno = 'EPERM') => {
    const root = path.join(scratch, name);
    const log = path.join(scratch, `${name}.fat.log`);
    fs.writeFileSync(log, '');
    const env = {
      NODE_OPTIONS: `--require ${FAT_RULES}`,
      ARBOR_TEST_FAT_DIRS: [path.join(root, 'boot'), path.join(root, 'boot', 'efi')].join(':'),
      ARBOR_TEST_FAT_LOG: log,
      ARBOR_TEST_FAT_ERRNO: errno,
    };
    return { sysroot: BootSysroot.create(root, { bootloader, env }), log: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) };
  };

  /** deploy, upgrade, rollback, a third deploy and cleanup; the check runs after each. */
  async function lifecycle(sysroot: BootSysroot, check: (step: string) => void): Promise<void> {
    const commits = [];
    for (const version of ['1', '2', '3']) commits.push(await sysroot.commit(scratch, `${version}`, kernel(`${sysroot.root}-${version}`)));
    sysroot.run('deploy', commits[0]!);
    check('deploy');
    sysroot.run('deploy', commits[1]!);
    check('upgrade');
    sysroot.run('rollback');
    check('rollback');
    sysroot.run('deploy', commits[2]!);
    sysroot.run('cleanup');
    check('cleanup');
  }

  for (const errno of ['EPERM', 'ENOSYS']) {
    it(`bls: deploy, upgrade, rollback and cleanup work on a /boot whose symlink() fails with ${errno}, by renames alone`, async () => {
      const { sysroot, log } = fatSysroot(`bls-${errno}`, 'bls', errno);
      const boot = path.join(sysroot.root, 'boot');
      await lifecycle(sysroot, (step) => {
        const status = sysroot.status().deployments;
        assert.ok(fs.lstatSync(path.join(boot, 'loader')).isDirectory(), `${step}: boot/loader is a real directory`);
        assert.deepEqual(symlinksUnder(boot), [], `${step}: no symlink under /boot`);
        const titles = [...entriesIn(boot).values()].map((entry) => entry.get('title')).sort();
        assert.deepEqual(titles, status.map((deployment) => `Arbor Test OS ${deployment.version} (arbor:os:${deployment.index})`).sort(), `${step}: exactly the live entries`);
        // systemd-boot reading /boot as XBOOTLDR is a real BLS reader of these entries.
        const listed = bootctlEntries(path.join(scratch, 'empty-esp'), boot);
        assert.equal(listed.length, status.length, step);
        assert.equal(bootctlDefaultTitle(path.join(scratch, 'empty-esp'), boot), `Arbor Test OS ${status[0]!.version} (arbor:os:0)`, `${step}: the default sorts first`);
        for (const entry of listed) assert.equal(sysroot.resolveArborArgument(entry.options ?? '') !== undefined, true, `${step}: ${entry.id} boots a complete deployment`);
      });
      const attempts = log();
      assert.ok(attempts.every((line) => /^symlink .*\/\.symlink-probe\.\d+\.tmp$/.test(line)), `only the probe tried a symlink on /boot:\n${attempts.join('\n')}`);
      const fsck = fsckFat(makeFatImage(path.join(scratch, `boot-${errno}.img`), { from: boot, sizeMiB: 40 }));
      assert.ok(fsck.clean, fsck.output);
    });
  }

  it('systemd-boot: never calls symlink() or link() on /boot or the ESP, and no two names differ only by case', async () => {
    const { sysroot, log } = fatSysroot('sdboot', 'systemd-boot');
    await lifecycle(sysroot, (step) => {
      assert.deepEqual(symlinksUnder(sysroot.esp), [], step);
      assert.equal(bootctlEntries(sysroot.esp).length, sysroot.status().deployments.length, step);
    });
    assert.deepEqual(log().filter((line) => !/\/boot\/\.symlink-probe\./.test(line)), [], 'no symlink, link or case clash on the ESP');
    const fsck = fsckFat(makeFatImage(path.join(scratch, 'esp.img'), { from: sysroot.esp, sizeMiB: 40 }));
    assert.ok(fsck.clean, fsck.output);
  });
});
