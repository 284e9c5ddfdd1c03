import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repo, commitTree, setXattr } from '@arbor/core';
import { requireRoot } from '../support/requireTool';
import { buildRichTree, removeTree, storeArbor } from './storeFixture';

describe('store determinism', function () {
  this.timeout(60_000);
  let work = '';
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-determinism-'));
  });
  afterEach(() => removeTree(work));

  /** The same small tree, its entries created in the order given, with mtimes set to `time`. */
  function makeTree(root: string, order: string[], time: number): void {
    fs.mkdirSync(root);
    for (const name of order) {
      if (name.endsWith('/')) fs.mkdirSync(path.join(root, name));
      else if (name.startsWith('link')) fs.symlinkSync('target', path.join(root, name));
      else fs.writeFileSync(path.join(root, name), `content of ${name}\n`);
    }
    setXattr(path.join(root, 'b'), 'user.note', Buffer.from('x'));
    for (const name of order) fs.lutimesSync(path.join(root, name), time, time);
  }

  it('gives the same root dirtree and dirmeta in two repos, whatever the creation order and mtimes', async () => {
    makeTree(path.join(work, 'one'), ['a', 'b', 'd/', 'd/x', 'd/y', 'link1', 'z/'], 1_000_000);
    makeTree(path.join(work, 'two'), ['z/', 'link1', 'd/', 'd/y', 'b', 'd/x', 'a'], 2_000_000_000);
    fs.chmodSync(path.join(work, 'one'), 0o755);
    fs.chmodSync(path.join(work, 'two'), 0o755);
    const first = await commitTree(storeArbor(), Repo.init(path.join(work, 'repo1'), { mode: 'archive' }), { tree: path.join(work, 'one'), branch: 'a', timestamp: 1 });
    const second = await commitTree(storeArbor(), Repo.init(path.join(work, 'repo2'), { mode: 'archive' }), { tree: path.join(work, 'two'), branch: 'b', timestamp: 1 });
    assert.equal(first.rootTree, second.rootTree);
    assert.equal(first.rootMeta, second.rootMeta);
    // Same tree, same time, same (empty) metadata and message: the same commit.
    assert.equal(first.commit, second.commit);
  });

  it('gives a bare, a user and an archive repo the same root IDs for the rich tree', async function () {
    requireRoot(this);
    buildRichTree(path.join(work, 'tree'), { bigFile: false });
    const roots = new Set<string>();
    for (const mode of ['bare', 'user', 'archive'] as const) {
      const result = await commitTree(storeArbor(), Repo.init(path.join(work, mode), { mode }), { tree: path.join(work, 'tree'), branch: 'x' });
      roots.add(`${result.rootTree} ${result.rootMeta}`);
    }
    assert.equal(roots.size, 1);
  });

  it('changes the root ID when only an owner, a mode or an xattr changes', async function () {
    requireRoot(this);
    const tree = path.join(work, 'tree');
    fs.mkdirSync(tree);
    fs.writeFileSync(path.join(tree, 'f'), 'same bytes\n');
    const repo = Repo.init(path.join(work, 'repo'), { mode: 'archive' });
    const ids = new Set<string>();
    const commit = async () => ids.add((await commitTree(storeArbor(), repo, { tree, branch: 'x' })).rootTree);
    await commit();
    fs.chownSync(path.join(tree, 'f'), 7, 7);
    await commit();
    fs.chmodSync(path.join(tree, 'f'), 0o600);
    await commit();
    setXattr(path.join(tree, 'f'), 'security.selinux', Buffer.from('system_u:object_r:etc_t:s0\0'));
    await commit();
    assert.equal(ids.size, 4);
  });
});
