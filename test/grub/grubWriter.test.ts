import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootEntry } from '@arbor/core';
import { SECTION_BEGIN, SECTION_END } from '@arbor/plugin-grub';
import { requireTool } from '../support/requireTool';
import { GRUB_FIXTURES } from './fixtures';
import { GrubSysroot } from './grubSysroot';

const V1 = { version: '1', etc: { 'app.conf': 'one\n' } };
const V2 = { version: '2', etc: { 'app.conf': 'two\n' } };
const V3 = { version: '3', etc: { 'app.conf': 'three\n' }, kernelVersion: '6.1.0' };

/** Every symlink under `dir`: FAT has none, so a writer for a FAT /boot must make none. */
function symlinksUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isSymbolicLink()) found.push(path.relative(dir, full));
      else if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

describe('grub writer on a sysroot: deploy, upgrade, rollback, cleanup', function () {
  this.timeout(120_000);

  describe('generated mode (a GRUB without blscfg, e.g. Debian)', () => {
    let scratch: string;
    let sysroot: GrubSysroot;
    let original: string;

    before(async function () {
      requireTool(this, 'grub-script-check');
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-generated-'));
      sysroot = GrubSysroot.init(scratch);
      // A grub-mkconfig config with the admin's own entry in 40_custom, as the machine had it.
      original = fs.readFileSync(path.join(GRUB_FIXTURES, 'grubby/grub2.1'), 'utf8').replace(
        '# the \'exec tail\' line above.\n',
        "# the 'exec tail' line above.\nmenuentry 'Memtest86+' {\n\tlinux16 /memtest86+.bin\n}\n",
      );
      fs.mkdirSync(sysroot.file('boot/grub'), { recursive: true });
      fs.writeFileSync(sysroot.file('boot/grub/grub.cfg'), original);
    });

    after(() => {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    /** grub.cfg minus our section is the admin's file, byte for byte. */
    const assertRestUnchanged = () => {
      const text = fs.readFileSync(sysroot.file('boot/grub/grub.cfg'), 'utf8');
      const begin = text.indexOf(SECTION_BEGIN);
      const end = text.indexOf(SECTION_END) + SECTION_END.length;
      assert.equal(text.slice(0, begin) + text.slice(end).replace(/^\n\n?/, ''), original);
    };

    it('deploy and upgrade write one entry per deployment, the new one first and default, and keeps the rest of grub.cfg', async () => {
      await sysroot.commit(scratch, V1);
      sysroot.run('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2', '--karg', 'console=ttyS0,115200');
      await sysroot.commit(scratch, V2);
      sysroot.run('upgrade');
      const ours = sysroot.assertGrubCfgMatchesStatus();
      assert.deepEqual(ours.map((entry) => entry.title), ['Arbor Test OS 2 (arbor:os:0)', 'Arbor Test OS 1 (arbor:os:1)']);
      const all = sysroot.grubEntries();
      assert.deepEqual(all.slice(0, 2), ours, 'ours come before grub-mkconfig\'s');
      assert.ok(all.some((entry) => entry.title === 'Memtest86+'), 'the custom entry survives');
      assert.match(fs.readFileSync(sysroot.file('boot/grub/grub.cfg'), 'utf8'), /^set default=arbor-0$/m);
      assertRestUnchanged();
    });

    it('another upgrade, a rollback and a cleanup each rewrite the section and nothing else', async () => {
      await sysroot.commit(scratch, V3);
      // --keep 2: three entries, so that cleanup has one to remove (retention would at once).
      sysroot.run('upgrade', '--keep', '2');
      assert.deepEqual(sysroot.assertGrubCfgMatchesStatus().map((entry) => entry.title), [
        'Arbor Test OS 3 (arbor:os:0)',
        'Arbor Test OS 2 (arbor:os:1)',
        'Arbor Test OS 1 (arbor:os:2)',
      ]);
      assertRestUnchanged();

      sysroot.run('rollback');
      assert.equal(sysroot.assertGrubCfgMatchesStatus()[0]!.title, 'Arbor Test OS 2 (arbor:os:0)');
      assertRestUnchanged();

      sysroot.run('cleanup');
      assert.deepEqual(sysroot.assertGrubCfgMatchesStatus().map((entry) => entry.title), ['Arbor Test OS 2 (arbor:os:0)', 'Arbor Test OS 3 (arbor:os:1)']);
      assertRestUnchanged();
    });

    it('writes nothing a FAT /boot could not hold: no symlinks, no leftover grub.cfg.new', () => {
      assert.deepEqual(symlinksUnder(sysroot.file('boot')), []);
      assert.ok(!fs.existsSync(sysroot.file('boot/grub/grub.cfg.new')));
      assert.ok(!fs.existsSync(sysroot.file('boot/loader')), 'no BLS entries in generated mode');
    });
  });

  describe('BLS mode (a GRUB with blscfg, e.g. Fedora)', () => {
    let scratch: string;
    let sysroot: GrubSysroot;

    before(async function () {
      requireTool(this, 'grub-editenv');
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-bls-'));
      sysroot = GrubSysroot.init(scratch);
      // What grub2-install leaves on Fedora: the module directory with blscfg, and a grubenv.
      fs.mkdirSync(sysroot.file('boot/grub2/x86_64-efi'), { recursive: true });
      fs.writeFileSync(sysroot.file('boot/grub2/x86_64-efi/blscfg.mod'), '');
      fs.copyFileSync(path.join(GRUB_FIXTURES, 'grubby/grubenv.1'), sysroot.file('boot/grub2/grubenv'));
    });

    after(() => {
      if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    });

    const entryTitles = () =>
      fs
        .readdirSync(sysroot.file('boot/loader/entries'))
        .sort()
        .reverse()
        .map((name) => BootEntry.parse(fs.readFileSync(sysroot.file(`boot/loader/entries/${name}`), 'utf8')).get('title'));

    it('probes blscfg, writes BLS entries and a grubenv whose saved_entry names the default', async () => {
      await sysroot.commit(scratch, V1);
      sysroot.run('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2');
      await sysroot.commit(scratch, V2);
      sysroot.run('upgrade');
      assert.deepEqual(entryTitles(), ['Arbor Test OS 2 (arbor:os:0)', 'Arbor Test OS 1 (arbor:os:1)']);
      const env = sysroot.grubenv('boot/grub2/grubenv');
      assert.equal(env.get('saved_entry'), 'arbor-2');
      const saved = BootEntry.parse(fs.readFileSync(sysroot.file('boot/loader/entries/arbor-2.conf'), 'utf8'));
      assert.equal(saved.get('title'), 'Arbor Test OS 2 (arbor:os:0)');
      assert.ok(!fs.existsSync(sysroot.file('boot/grub2/grub.cfg')), 'BLS mode leaves grub.cfg to the distribution');
    });

    it('after upgrade, rollback and cleanup, saved_entry names the default entry and grub-editenv reads the block', async () => {
      await sysroot.commit(scratch, V3);
      sysroot.run('upgrade', '--keep', '2');
      assert.equal(sysroot.grubenv('boot/grub2/grubenv').get('saved_entry'), 'arbor-3');
      sysroot.run('rollback');
      assert.equal(sysroot.grubenv('boot/grub2/grubenv').get('saved_entry'), 'arbor-3');
      assert.equal(entryTitles()[0], 'Arbor Test OS 2 (arbor:os:0)');
      sysroot.run('cleanup');
      assert.equal(sysroot.grubenv('boot/grub2/grubenv').get('saved_entry'), 'arbor-2');
      assert.deepEqual(entryTitles(), ['Arbor Test OS 2 (arbor:os:0)', 'Arbor Test OS 3 (arbor:os:1)']);
    });

    it('keeps grubenv\'s kernelopts for entries that use it when asked', async () => {
      const config = JSON.parse(fs.readFileSync(sysroot.file('arbor/config.json'), 'utf8'));
      fs.writeFileSync(sysroot.file('arbor/config.json'), JSON.stringify({ ...config, bootloaderOptions: { kernelopts: true } }));
      sysroot.run('kargs', '--append', 'quiet');
      const env = sysroot.grubenv('boot/grub2/grubenv');
      assert.equal(env.get('kernelopts'), 'root=/dev/vda2 quiet');
      assert.equal(env.get('saved_entry'), 'arbor-2');
    });
  });

  describe('errors', () => {
    let scratch: string;
    beforeEach(() => {
      scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-errors-'));
    });
    afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

    it('turns an errno into an ArborError naming the path and the filesystem', async () => {
      const sysroot = GrubSysroot.init(scratch, { mode: 'generated' });
      fs.writeFileSync(sysroot.file('boot/grub'), 'a file where GRUB\'s directory should be\n');
      const v1 = await sysroot.commit(scratch, V1);
      const result = sysroot.fail('deploy', v1, '--json');
      const error = JSON.parse(result.stdout).error as { code: string; message: string };
      assert.equal(error.code, 'ARBOR_GRUB_FILESYSTEM');
      assert.match(error.message, new RegExp(`${sysroot.file('boot/grub').replace(/[/.]/g, '\\$&')}.* on (ext4|xfs|btrfs|tmpfs|overlayfs|filesystem type 0x[0-9a-f]+): E(EXIST|NOTDIR)`));
    });

    it('refuses to follow a symlinked grub directory out of the sysroot', async () => {
      const sysroot = GrubSysroot.init(scratch, { mode: 'generated' });
      fs.mkdirSync(path.join(scratch, 'elsewhere'));
      fs.symlinkSync(path.join(scratch, 'elsewhere'), sysroot.file('boot/grub'));
      const v1 = await sysroot.commit(scratch, V1);
      const error = JSON.parse(sysroot.fail('deploy', v1, '--json').stdout).error as { code: string; message: string };
      assert.equal(error.code, 'ARBOR_GRUB_PATH_ESCAPES');
      assert.deepEqual(fs.readdirSync(path.join(scratch, 'elsewhere')), []);
    });

    it('names a bad bootloaderOptions key and the sysroot config it is in', async () => {
      const sysroot = GrubSysroot.init(scratch, { mode: 'grub-legacy' });
      const v1 = await sysroot.commit(scratch, V1);
      const error = JSON.parse(sysroot.fail('deploy', v1, '--json').stdout).error as { code: string; message: string };
      assert.equal(error.code, 'ARBOR_GRUB_OPTIONS_INVALID');
      assert.match(error.message, /bootloaderOptions\.mode in .*arbor\/config\.json/);
    });
  });
});
