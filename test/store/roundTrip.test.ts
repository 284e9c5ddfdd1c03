import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repo, checkoutCommit, commitTree, fsck, type RepoMode } from '@arbor/core';
import { requireRoot, requireTool } from '../support/requireTool';
import { buildRichTree, describeTree, removeTree, storeArbor } from './storeFixture';

describe('store round trip: commit, then check out with every strategy', function () {
  this.timeout(120_000);
  let work = '';
  let tree = '';
  let expected: ReturnType<typeof describeTree>;

  before(function () {
    requireRoot(this);
    requireTool(this, 'find', 'getfattr', 'sha256sum');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-roundtrip-'));
    tree = path.join(work, 'tree');
    buildRichTree(tree);
    expected = describeTree(tree);
  });

  after(() => {
    if (work) removeTree(work);
  });

  const cases: Array<[RepoMode, string[]]> = [
    ['bare', ['hardlink', 'reflink', 'copy']],
    ['archive', ['hardlink', 'copy']],
    ['user', ['hardlink', 'copy']],
  ];

  for (const [mode, strategies] of cases) {
    describe(`${mode} repo`, () => {
      let repo: Repo;

      before(async () => {
        repo = Repo.init(path.join(work, `repo-${mode}`), { mode });
        await commitTree(storeArbor(), repo, { tree, branch: 'os/test', subject: 'rich tree' });
      });

      for (const strategy of strategies) {
        it(`checks out identically with ${strategy}: content, type, mode, owner, symlinks, xattrs, hardlink groups`, async () => {
          const dest = path.join(work, `co-${mode}-${strategy}`);
          const result = await checkoutCommit(storeArbor(), repo, { ref: 'os/test', dest, strategy });
          const actual = describeTree(dest);
          assert.deepEqual(actual.entries, expected.entries);
          assert.equal(actual.xattrs, expected.xattrs);
          assert.deepEqual(actual.hardlinkGroups, expected.hardlinkGroups);
          assert.equal(result.files, expected.entries.filter((line) => /\|[fl]\|/.test(line)).length);
          removeTree(dest);
        });
      }

      if (mode === 'bare') {
        it('links each file to its object: the checkout shares the object\'s inode', async () => {
          const dest = path.join(work, 'co-inode');
          await checkoutCommit(storeArbor(), repo, { ref: 'os/test', dest });
          const checkedOut = fs.statSync(path.join(dest, 'etc/hostname'));
          const objects = fs.readdirSync(path.join(repo.path, 'objects'), { recursive: true }) as string[];
          const inodes = new Set(objects.filter((name) => name.endsWith('.file')).map((name) => fs.lstatSync(path.join(repo.path, 'objects', name)).ino));
          assert.ok(inodes.has(checkedOut.ino));
          removeTree(dest);
        });
      }

      it('passes fsck after the checkouts', async () => {
        const result = await fsck(storeArbor(), repo);
        assert.deepEqual(result.problems, []);
        assert.ok(result.checked > 30);
      });
    });
  }

});
