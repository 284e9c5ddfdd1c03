import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo, checkoutCommit, commitTree } from '@arbor/core';
import { requireRoot } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { describeTree, removeTree, storeArbor } from './storeFixture';

describe('hardlink checkout of a large tree (native batches side by side)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('arbor-large-');

  it('matches the tree, and --union over an edited copy restores it', async function () {
    requireRoot(this);
    const tree = path.join(tmp(), 'tree');
    for (let index = 0; index < 4200; index++) {
      const dir = path.join(tree, `d${index % 50}`, `e${index % 7}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `f${index}`), `file ${index}\n`, { mode: index % 3 ? 0o644 : 0o755 });
    }
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'bare' });
    await commitTree(storeArbor(), repo, { tree, branch: 'big' });
    const expected = describeTree(tree);

    const dest = path.join(tmp(), 'co');
    const result = await checkoutCommit(storeArbor(), repo, { ref: 'big', dest });
    assert.equal(result.files, 4200);
    assert.equal(result.strategy, 'hardlink');
    assert.deepEqual(describeTree(dest).entries, expected.entries);
    const object = fs.statSync(repo.objectPath(fileId(repo, 'd7/e0/f7'), 'file'));
    assert.equal(fs.statSync(path.join(dest, 'd7/e0/f7')).ino, object.ino);

    // Edit the checkout: replace files (unlink first, so the objects stay intact) and delete some.
    for (let index = 0; index < 4200; index += 10) {
      const file = path.join(dest, `d${index % 50}`, `e${index % 7}`, `f${index}`);
      fs.unlinkSync(file);
      if (index % 20 === 0) fs.writeFileSync(file, 'edited\n');
    }
    await checkoutCommit(storeArbor(), repo, { ref: 'big', dest, union: true });
    assert.deepEqual(describeTree(dest).entries, expected.entries);
    removeTree(dest);
  });
});

function fileId(repo: Repo, relative: string): string {
  const commit = repo.readCommit(repo.resolveRev('big'));
  let tree = repo.readDirTree(commit.rootTree);
  const parts = relative.split('/');
  for (const part of parts.slice(0, -1)) tree = repo.readDirTree(tree.dirs.find((dir) => dir.name === part)!.tree);
  return tree.files.find((file) => file.name === parts[parts.length - 1])!.file;
}
