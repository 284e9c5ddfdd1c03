import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Repo, S_IFDIR, checkoutCommit, commitTree, listTree, readXattrs } from '@arbor/core';
import { requireRoot } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { storeArbor } from './storeFixture';

describe('commit hooks and the devino cache', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-hooks-');

  function tree(): string {
    const root = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/bin/tool'), 'tool\n', { mode: 0o755 });
    fs.symlinkSync('tool', path.join(root, 'usr/bin/alias'));
    return root;
  }

  it('threads commit metadata through the commit hook before writing', async () => {
    const arbor = storeArbor();
    arbor.hooks.commit.tapPromise('test:stamp', async (metadata) => ({ ...metadata, 'test.stamped': true, version: `${metadata.version}-x` }));
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const { commit } = await commitTree(arbor, repo, { tree: tree(), branch: 'x', metadata: { version: '7' } });
    assert.deepEqual(repo.readCommit(commit).metadata, { 'test.stamped': true, version: '7-x' });
  });

  it('commits what label taps return, per file, directory and symlink', async () => {
    const arbor = storeArbor();
    const seen: string[] = [];
    arbor.hooks.label.tapPromise('test:label', async (metadata, target) => {
      seen.push(`${target.path} ${(target.type >> 12).toString(8)}`);
      const label = target.type === S_IFDIR ? 'dir_t' : target.path.endsWith('alias') ? 'link_t' : 'bin_t';
      return { ...metadata, uid: 42, xattrs: { ...metadata.xattrs, 'security.selinux': Buffer.from(`system_u:object_r:${label}:s0\0`) } };
    });
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const { commit } = await commitTree(arbor, repo, { tree: tree(), branch: 'x' });
    assert.deepEqual(seen.sort(), ['/ 4', '/usr 4', '/usr/bin 4', '/usr/bin/alias 12', '/usr/bin/tool 10']);
    const entries = Object.fromEntries(listTree(repo, commit, '/', { recursive: true }).map((entry) => [entry.path, entry]));
    assert.equal(entries['/usr/bin/tool']!.uid, 42);
    assert.deepEqual(entries['/usr/bin/tool']!.xattrs, ['security.selinux']);
    assert.equal(repo.readFileMeta(entries['/usr/bin/alias']!.id).xattrs[0]![1].toString(), 'system_u:object_r:link_t:s0\0');
    assert.equal(repo.readDirMeta(entries['/usr']!.meta!).uid, 42);
  });

  it('does not read again the files of a hardlink checkout being re-committed', async function () {
    requireRoot(this);
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'bare' });
    const first = await commitTree(storeArbor(), repo, { tree: tree(), branch: 'x' });
    assert.ok(first.stats.bytesRead > 0);
    const checkout = path.join(tmp(), 'co');
    await checkoutCommit(storeArbor(), repo, { ref: 'x', dest: checkout });
    const again = await commitTree(storeArbor(), repo, { tree: checkout, branch: 'x' });
    assert.equal(again.stats.bytesRead, 0);
    assert.equal(again.rootTree, first.rootTree);
    fs.writeFileSync(path.join(checkout, 'usr/bin/new'), 'new\n');
    const changed = await commitTree(storeArbor(), repo, { tree: checkout, branch: 'x' });
    assert.equal(changed.stats.bytesRead, 4, 'only the new file is read');
  });

  it('keeps a user-mode repo\'s own metadata xattr out of commits of its checkouts', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'user' });
    await commitTree(storeArbor(), repo, { tree: tree(), branch: 'x' });
    const checkout = path.join(tmp(), 'co');
    await checkoutCommit(storeArbor(), repo, { ref: 'x', dest: checkout, strategy: 'copy' });
    assert.deepEqual(Object.keys(readXattrs(path.join(checkout, 'usr/bin/tool'))), []);
    const other = Repo.init(path.join(tmp(), 'other'), { mode: 'archive' });
    const copied = path.join(tmp(), 'copied');
    // cp -a keeps xattrs, user.arbor.meta included: the case a plain copy of objects creates.
    execFileSync('cp', ['-a', path.join(repo.path, 'objects'), copied]);
    assert.ok(execFileSync('getfattr', ['-R', '-d', copied]).toString().includes('user.arbor.meta'));
    const result = await commitTree(storeArbor(), other, { tree: copied, branch: 'x' });
    for (const entry of listTree(other, result.commit, '/', { recursive: true })) assert.ok(!entry.xattrs.includes('user.arbor.meta'), entry.path);
  });
});
