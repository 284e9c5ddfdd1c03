import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installPackage, RpmErrorCode, RpmInstallState } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { buildRpm, type PackageEntry } from './buildRpm';
import { listTree } from './treeOracle';

describe('file conflicts between packages', function () {
  this.timeout(120_000);
  let work = '';
  let first = '';
  let differs = '';
  let identical = '';
  let dirMode = '';

  before(function () {
    requireTool(this, 'rpmbuild', 'rpm', 'getfattr', 'xz');
    requireRoot(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-conflicts-'));
    const shared: PackageEntry[] = [
      { path: '/opt/shared', kind: 'dir' },
      { path: '/opt/shared/same.txt', content: 'the same in every package\n' },
    ];
    first = buildRpm(work, { name: 'first', payload: 'w9.gzdio', entries: [...shared, { path: '/opt/shared/data.txt', content: 'first\n' }] });
    differs = buildRpm(work, {
      name: 'differs',
      payload: 'w19.zstdio',
      entries: [...shared, { path: '/opt/shared/data.txt', content: 'other\n' }, { path: '/opt/differs-only', content: 'x\n' }],
    });
    identical = buildRpm(work, { name: 'identical', payload: 'w2.xzdio', entries: [...shared, { path: '/opt/identical-only', content: 'y\n' }] });
    dirMode = buildRpm(work, { name: 'dirmode', payload: 'w9.gzdio', entries: [{ path: '/opt/shared', kind: 'dir', attr: ['0700', 'root', 'root'] }] });
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function freshTree(label: string): string {
    const tree = path.join(work, label);
    fs.mkdirSync(tree);
    return tree;
  }

  it('refuses a package shipping a path another package installed with different content, naming both and the path', async () => {
    const tree = freshTree('differs');
    const state = new RpmInstallState();
    await installPackage(first, { tree, state });
    const before = listTree(tree);
    await assert.rejects(installPackage(differs, { tree, state }), (error: Error & { code?: string }) => {
      assert.equal(error.code, RpmErrorCode.FILE_CONFLICT);
      assert.equal(error.message, `${path.basename(differs)}: /opt/shared/data.txt is in both first-1.0-1.noarch and differs-1.0-1.noarch, which differ (different content)`);
      return true;
    });
    assert.deepEqual(listTree(tree), before, 'nothing of the refused package reached the tree');
    assert.equal(state.ownerOf('/opt/shared/data.txt'), 'first-1.0-1.noarch');
    assert.deepEqual(state.packages, ['first-1.0-1.noarch']);
  });

  it('installs a package whose shared files are identical, keeping the first owner of each', async () => {
    const tree = freshTree('identical');
    const state = new RpmInstallState();
    await installPackage(first, { tree, state });
    const second = await installPackage(identical, { tree, state });
    assert.equal(second.same, 1, 'same.txt is left as the first package installed it');
    assert.equal(state.ownerOf('/opt/shared/same.txt'), 'first-1.0-1.noarch');
    assert.equal(state.ownerOf('/opt/identical-only'), 'identical-1.0-1.noarch');
    assert.equal(fs.readFileSync(path.join(tree, 'opt/identical-only'), 'utf8'), 'y\n');
  });

  it('treats a directory with another mode as a conflict, as rpm does', async () => {
    const tree = freshTree('dirmode');
    const state = new RpmInstallState();
    await installPackage(first, { tree, state });
    await assert.rejects(installPackage(dirMode, { tree, state }), /\/opt\/shared is in both first-1\.0-1\.noarch and dirmode-1\.0-1\.noarch, which differ \(mode 040755 vs 040700\)/);
  });

  it('agrees with rpm on which pairs conflict', () => {
    const rpmTry = (label: string, packages: string[]) => {
      const root = freshTree(`rpm-${label}`);
      return spawnSync('rpm', ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm', '-i', '--noscripts', '--nodeps', '--nosignature', ...packages], { encoding: 'utf8' });
    };
    const conflicting = rpmTry('differs', [first, differs]);
    assert.notEqual(conflicting.status, 0);
    assert.match(conflicting.stderr, /\/opt\/shared\/data\.txt .*conflicts/);
    assert.equal(rpmTry('identical', [first, identical]).status, 0);
    assert.notEqual(rpmTry('dirmode', [first, dirMode]).status, 0);
  });
});
