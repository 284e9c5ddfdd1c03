import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo, commitTree, fsck, listTree, type RepoMode } from '@arbor/core';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { storeArbor } from './storeFixture';

describe('fsck', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-fsck-');

  async function committed(mode: RepoMode) {
    const tree = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(tree, 'etc/sub'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc/flipped'), 'the byte at 4 will flip\n');
    fs.writeFileSync(path.join(tree, 'etc/sub/deleted'), 'this object will go\n');
    fs.writeFileSync(path.join(tree, 'etc/sub/kept'), 'fine\n');
    fs.mkdirSync(path.join(tree, 'usr/truncated'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'usr/truncated/a'), 'a\n');
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode });
    await commitTree(storeArbor(), repo, { tree, branch: 'os/test' });
    const ids = Object.fromEntries(listTree(repo, repo.resolveRev('os/test'), '/', { recursive: true }).map((entry) => [entry.path, entry.id]));
    return { repo, ids };
  }

  for (const mode of ['archive', 'user'] as const) {
    it(`names a flipped byte, a truncated dirtree and a deleted object by ID and path (${mode} repo)`, async () => {
      const { repo, ids } = await committed(mode);
      assert.deepEqual((await fsck(storeArbor(), repo)).problems, []);

      const flipped = repo.objectPath(ids['/etc/flipped']!, repo.fileKind);
      const bytes = fs.readFileSync(flipped);
      bytes[bytes.length - 4] ^= 0x01;
      fs.chmodSync(flipped, 0o644);
      fs.writeFileSync(flipped, bytes);
      const dirtree = repo.objectPath(ids['/usr/truncated']!, 'dirtree');
      fs.truncateSync(dirtree, fs.statSync(dirtree).size - 10);
      fs.unlinkSync(repo.objectPath(ids['/etc/sub/deleted']!, repo.fileKind));

      const result = await fsck(storeArbor(), Repo.open(repo.path));
      assert.deepEqual(result.corrupt.sort(), [ids['/etc/flipped']!, ids['/usr/truncated']!].sort());
      assert.deepEqual(result.missing, [ids['/etc/sub/deleted']!]);
      const byId = Object.fromEntries(result.problems.map((problem) => [problem.id, problem]));
      assert.equal(byId[ids['/etc/flipped']!]!.path, '/etc/flipped');
      assert.equal(byId[ids['/usr/truncated']!]!.path, '/usr/truncated');
      assert.equal(byId[ids['/usr/truncated']!]!.kind, 'dirtree');
      assert.equal(byId[ids['/etc/sub/deleted']!]!.path, '/etc/sub/deleted');

      const cli = runArbor(['fsck', '--repo', repo.path, '--json']);
      assert.equal(cli.status, 1);
      const json = cli.json<{ checked: number; corrupt: string[]; missing: string[] }>();
      assert.ok(json.checked > 5);
      assert.deepEqual(json.corrupt.sort(), result.corrupt.sort());
      assert.deepEqual(json.missing, result.missing);
      const human = runArbor(['fsck', '--repo', repo.path]);
      assert.equal(human.status, 1);
      assert.match(human.stderr, new RegExp(`corrupt ${repo.fileKind} ${ids['/etc/flipped']} at /etc/flipped`));
    });
  }

  it('refuses to read a corrupt object: cat names it, checkout writes nothing', async () => {
    const { repo, ids } = await committed('archive');
    const flipped = repo.objectPath(ids['/etc/flipped']!, 'filez');
    const bytes = fs.readFileSync(flipped);
    bytes[bytes.length - 2] ^= 0x20;
    fs.writeFileSync(flipped, bytes);
    const cat = runArbor(['cat', '--repo', repo.path, 'os/test', '/etc/flipped']);
    assert.equal(cat.status, 1);
    assert.match(cat.stderr, new RegExp(`^Error: File object ${ids['/etc/flipped']} is corrupt`));
    assert.equal(cat.stdout, '');

    const dirtree = repo.objectPath(ids['/etc/sub']!, 'dirtree');
    fs.truncateSync(dirtree, 20);
    const dest = path.join(tmp(), 'co');
    const checkout = runArbor(['checkout', '--repo', repo.path, 'os/test', dest]);
    assert.equal(checkout.status, 1);
    assert.match(checkout.stderr, new RegExp(`Object ${ids['/etc/sub']}\\.dirtree is corrupt`));
    assert.equal(fs.existsSync(dest), false);
  });

  it('passes a repo whose history was cut by prune --depth', async () => {
    const { repo } = await committed('archive');
    const tree = path.join(tmp(), 'tree');
    fs.writeFileSync(path.join(tree, 'etc/new'), 'second commit\n');
    await commitTree(storeArbor(), repo, { tree, branch: 'os/test' });
    const pruned = runArbor(['prune', '--repo', repo.path, '--depth', '0', '--json']);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.ok(pruned.json<{ deleted: number }>().deleted >= 1);
    assert.deepEqual((await fsck(storeArbor(), repo)).problems, []);
  });
});
