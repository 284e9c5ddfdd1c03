import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, type ArborError } from '@arbor/core';
import { mergeDeploymentEtc } from '@arbor/core/sysroot';
import { prepareEtc } from '@arbor/core/sysroot';
import etcMergePlugin from '@arbor/plugin-etc-merge';
import { useTempDir, writeTree } from '../support/tempDir';
import { snapshotTree } from './sysrootFixture';

/**
 * The merge on two deployment-shaped directories: `old` (usr/etc = the v1 defaults, etc = what
 * the admin made of them) and `new` (usr/etc = the v2 defaults, etc prepared from them as a
 * deploy does). The cases are ostree's etc-merge corner cases plus Arbor's conflict report.
 */
describe('the /etc merge', () => {
  const tmp = useTempDir('arbor-etc-');
  let oldRoot: string;
  let newRoot: string;

  beforeEach(() => {
    oldRoot = path.join(tmp(), 'old');
    newRoot = path.join(tmp(), 'new');
  });

  function oldDefaults(files: Record<string, string>): void {
    writeTree(path.join(oldRoot, 'usr/etc'), files);
    prepareEtc(oldRoot);
  }

  function newDefaults(files: Record<string, string>): void {
    writeTree(path.join(newRoot, 'usr/etc'), files);
  }

  const adminEtc = (relative = '') => path.join(oldRoot, 'etc', relative);
  const newEtc = (relative = '') => path.join(newRoot, 'etc', relative);

  async function merge(arbor = new Arbor().use(etcMergePlugin())) {
    prepareEtc(newRoot);
    return mergeDeploymentEtc({ arbor, context: arbor.context(), from: oldRoot, to: newRoot });
  }

  it('keeps the admin\'s edit and reports it as a conflict when the default changed too', async () => {
    oldDefaults({ 'app.conf': 'v1 default\n', 'other.conf': 'other v1\n', 'same.conf': 'same\n' });
    fs.writeFileSync(adminEtc('app.conf'), 'admin edit\n');
    fs.writeFileSync(adminEtc('same.conf'), 'admin edit of an unchanged default\n');
    newDefaults({ 'app.conf': 'v2 default\n', 'other.conf': 'other v2\n', 'same.conf': 'same\n' });
    const plan = await merge();
    assert.equal(fs.readFileSync(newEtc('app.conf'), 'utf8'), 'admin edit\n');
    assert.equal(fs.readFileSync(newEtc('same.conf'), 'utf8'), 'admin edit of an unchanged default\n');
    assert.equal(fs.readFileSync(newEtc('other.conf'), 'utf8'), 'other v2\n');
    assert.deepEqual(plan.modified, ['app.conf', 'same.conf']);
    assert.deepEqual(plan.conflicts, ['app.conf']);
    assert.equal(plan.applied, true);
  });

  it('carries deletions and a chain of new directories with their own modes', async () => {
    oldDefaults({ 'gone.conf': 'x\n', 'testdirectory/a': 'a\n', 'keep.conf': 'k\n' });
    fs.rmSync(adminEtc('gone.conf'));
    fs.rmSync(adminEtc('testdirectory'), { recursive: true });
    const modes: Record<string, number> = { a: 0o700, 'a/long': 0o770, 'a/long/dir': 0o777, 'a/long/dir/chain': 0o707 };
    for (const [dir, mode] of Object.entries(modes)) {
      fs.mkdirSync(adminEtc(dir));
      fs.chmodSync(adminEtc(dir), mode);
    }
    fs.writeFileSync(adminEtc('a/long/dir/chain/secret'), 's\n', { mode: 0o600 });
    newDefaults({ 'gone.conf': 'x v2\n', 'testdirectory/a': 'a\n', 'keep.conf': 'k\n' });
    const plan = await merge();
    assert.ok(!fs.existsSync(newEtc('gone.conf')));
    assert.ok(!fs.existsSync(newEtc('testdirectory')));
    assert.ok(fs.existsSync(path.join(newRoot, 'usr/etc/testdirectory/a')), 'the defaults stay in usr/etc');
    for (const [dir, mode] of Object.entries(modes)) assert.equal(fs.statSync(newEtc(dir)).mode & 0o7777, mode, dir);
    assert.equal(fs.statSync(newEtc('a/long/dir/chain/secret')).mode & 0o7777, 0o600);
    assert.deepEqual(plan.removed, ['gone.conf', 'testdirectory']);
    assert.deepEqual(plan.added, ['a', 'a/long', 'a/long/dir', 'a/long/dir/chain', 'a/long/dir/chain/secret']);
    assert.deepEqual(plan.conflicts, ['gone.conf'], 'a deletion hides the changed default of gone.conf');
  });

  it('copies a dangling symlink as a link, never following it', async () => {
    oldDefaults({ 'a.conf': 'a\n' });
    fs.symlinkSync('no-such-file', adminEtc('link-to-no-such-file'));
    fs.symlinkSync('a.conf', adminEtc('alias.conf'));
    newDefaults({ 'a.conf': 'a\n' });
    await merge();
    assert.equal(fs.readlinkSync(newEtc('link-to-no-such-file')), 'no-such-file');
    assert.ok(fs.lstatSync(newEtc('alias.conf')).isSymbolicLink());
  });

  it('skips a fifo in etc and reports it', async () => {
    oldDefaults({ 'a.conf': 'a\n' });
    execFileSync('mkfifo', [adminEtc('initctl')]);
    newDefaults({ 'a.conf': 'a\n' });
    const plan = await merge();
    assert.deepEqual(plan.skipped, ['initctl']);
    assert.ok(!fs.existsSync(newEtc('initctl')));
    assert.deepEqual(plan.added, []);
  });

  it('gives new empty default directories to the new etc', async () => {
    oldDefaults({ 'a.conf': 'a\n' });
    newDefaults({ 'a.conf': 'a\n' });
    fs.mkdirSync(path.join(newRoot, 'usr/etc/initially-empty'));
    await merge();
    assert.ok(fs.statSync(newEtc('initially-empty')).isDirectory());
    assert.deepEqual(fs.readdirSync(newEtc('initially-empty')), []);
  });

  it('takes a new default that replaced a directory with a file', async () => {
    oldDefaults({ 'foo.d/one.conf': '1\n', 'b.conf': 'b\n' });
    newDefaults({ 'foo.d': 'now a file\n', 'b.conf': 'b\n' });
    const plan = await merge();
    assert.equal(fs.readFileSync(newEtc('foo.d'), 'utf8'), 'now a file\n');
    assert.deepEqual([plan.modified, plan.added, plan.removed, plan.conflicts], [[], [], [], []]);
  });

  it('carries a directory the admin put where a default file was', async () => {
    oldDefaults({ 'x.conf': 'a file\n' });
    fs.rmSync(adminEtc('x.conf'));
    writeTree(adminEtc(), { 'x.conf/part.conf': 'a part\n' });
    newDefaults({ 'x.conf': 'a file v2\n' });
    const plan = await merge();
    assert.equal(fs.readFileSync(newEtc('x.conf/part.conf'), 'utf8'), 'a part\n');
    assert.deepEqual(plan.modified, ['x.conf']);
    assert.deepEqual(plan.added, ['x.conf/part.conf']);
  });

  it('recreates a removed default directory that still holds an admin file, with its old mode', async () => {
    oldDefaults({ 'initially-empty/afile': 'a\n', 'b.conf': 'b\n' });
    fs.chmodSync(adminEtc('initially-empty'), 0o750);
    fs.writeFileSync(adminEtc('initially-empty/mynewfile'), 'mine\n');
    newDefaults({ 'b.conf': 'b\n' });
    await merge();
    assert.equal(fs.readFileSync(newEtc('initially-empty/mynewfile'), 'utf8'), 'mine\n');
    assert.ok(!fs.existsSync(newEtc('initially-empty/afile')));
    assert.equal(fs.statSync(newEtc('initially-empty')).mode & 0o7777, 0o750);
  });

  it('refuses a modified file whose new default is a directory, naming it and changing nothing', async () => {
    oldDefaults({ 'somenewdir': 'default file\n', 'gone.conf': 'g\n', 'z.conf': 'z\n' });
    fs.writeFileSync(adminEtc('somenewdir'), 'some content blah\n');
    fs.rmSync(adminEtc('gone.conf'));
    fs.writeFileSync(adminEtc('z.conf'), 'admin z\n');
    newDefaults({ 'somenewdir/inside.conf': 'i\n', 'gone.conf': 'g\n', 'z.conf': 'z\n' });
    prepareEtc(newRoot);
    const before = snapshotTree(newEtc());
    const arbor = new Arbor().use(etcMergePlugin());
    await assert.rejects(mergeDeploymentEtc({ arbor, context: arbor.context(), from: oldRoot, to: newRoot }), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_ETC_NEWLY_DIRECTORY');
      assert.match(error.message, /^During \/etc merge \(arbor:etc-merge\): Modified config file \/etc\/somenewdir newly defaults to a directory/);
      return true;
    });
    assert.deepEqual(snapshotTree(newEtc()), before, 'the new etc is exactly as it was');
  });

  it('refuses an admin file under a path whose new default is a file', async () => {
    oldDefaults({ 'conf.d/a.conf': 'a\n' });
    fs.writeFileSync(adminEtc('conf.d/mine.conf'), 'mine\n');
    newDefaults({ 'conf.d': 'a file now\n' });
    await assert.rejects(merge(), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_ETC_PARENT_NOT_DIRECTORY');
      assert.match(error.message, /Config file \/etc\/conf\.d\/mine\.conf cannot be merged: its directory \/etc\/conf\.d newly defaults to a file/);
      return true;
    });
  });

  it('moves a commit\'s /etc to /usr/etc when it has no /usr/etc, and refuses a commit with both', () => {
    writeTree(path.join(newRoot, 'etc'), { 'hostname': 'box\n' });
    prepareEtc(newRoot);
    assert.equal(fs.readFileSync(path.join(newRoot, 'usr/etc/hostname'), 'utf8'), 'box\n');
    assert.equal(fs.readFileSync(newEtc('hostname'), 'utf8'), 'box\n');
    assert.notEqual(fs.statSync(newEtc('hostname')).ino, fs.statSync(path.join(newRoot, 'usr/etc/hostname')).ino);
    assert.throws(() => prepareEtc(newRoot), { code: 'ARBOR_ETC_BOTH', message: 'The commit has both /etc and /usr/etc' });
  });

  it('refuses a merge nobody applies, rather than dropping the admin\'s changes', async () => {
    oldDefaults({ 'a.conf': 'a\n' });
    fs.writeFileSync(adminEtc('a.conf'), 'mine\n');
    newDefaults({ 'a.conf': 'a\n' });
    await assert.rejects(merge(new Arbor()), { code: 'ARBOR_ETC_NOT_MERGED' });
  });
});
