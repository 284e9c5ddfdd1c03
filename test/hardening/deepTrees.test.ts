import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor, type ArborError } from '@arbor/core';
import { blake3 } from '@arbor/core/store';
import { encodeCommit } from '@arbor/core/store';
import { checkoutCommit } from '@arbor/core/store';
import { diffCommits } from '@arbor/core/store';
import { encodeDirMeta } from '@arbor/core/store';
import { encodeDirTree } from '@arbor/core/store';
import { fsck } from '@arbor/core/store';
import { listTree } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import storagePlugin from '@arbor/plugin-storage';
import filePlugin from '@arbor/plugin-file';
import { addRemote, pull, writeSummary as writeRemoteSummary } from '@arbor/core/remote';
import { useTempDir, removeTree } from '../support/tempDir';

/**
 * A commit whose tree is `depth` directories deep (`/d/d/d/...`), written object by object as
 * a hostile server or a hand-made repo would: no filesystem could hold it to commit it.
 */
function deepCommit(repo: Repo, depth: number, subject: string): string {
  // Written straight into objects/ without Repo's fsync per object: 8,000 fsyncs take minutes.
  const write = (kind: 'dirtree' | 'dirmeta' | 'commit', bytes: Buffer): string => {
    const id = blake3(bytes).toString('hex');
    fs.mkdirSync(path.dirname(repo.objectPath(id, kind)), { recursive: true });
    fs.writeFileSync(repo.objectPath(id, kind), bytes);
    return id;
  };
  const meta = write('dirmeta', encodeDirMeta({ mode: 0o40755, uid: 0, gid: 0, xattrs: [] }));
  let tree = write('dirtree', encodeDirTree({ files: [], dirs: [] }));
  for (let level = 0; level < depth; level++) tree = write('dirtree', encodeDirTree({ files: [], dirs: [{ name: 'd', tree, meta }] }));
  const commit = write('commit', encodeCommit({ parent: null, timestamp: 0, rootTree: tree, rootMeta: meta, subject, body: '', metadata: {} }));
  repo.setRef(subject, commit);
  return commit;
}

describe('issue 19: trees thousands of levels deep', () => {
  const tmp = useTempDir('arbor-harden-deep-');
  // Deep enough to overflow a recursive walk, with paths (2 bytes a level) past PATH_MAX.
  const DEPTH = 8_000;
  let shared: string;
  let built: { deep: string; shallow: string };

  before(function () {
    this.timeout(300_000);
    shared = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-harden-deep-repo-'));
    const repo = Repo.init(path.join(shared, 'repo'), { mode: 'archive' });
    built = { deep: deepCommit(repo, DEPTH, 'deep'), shallow: deepCommit(repo, 1, 'shallow') };
  });
  after(() => removeTree(shared));

  function repoWithDeepTree(): { repo: Repo; deep: string; shallow: string } {
    return { repo: Repo.open(path.join(shared, 'repo')), ...built };
  }

  it('ls -R lists every level without running out of stack', () => {
    const { repo, deep } = repoWithDeepTree();
    const entries = listTree(repo, deep, '/', { recursive: true });
    assert.equal(entries.length, DEPTH + 1);
    assert.equal(entries.at(-1)!.path, `/${Array(DEPTH).fill('d').join('/')}`);
  });

  it('diff walks both trees without running out of stack', () => {
    const { repo, deep, shallow } = repoWithDeepTree();
    const diff = diffCommits(repo, shallow, deep);
    assert.equal(diff.added.length, DEPTH - 1);
    const back = diffCommits(repo, deep, shallow);
    assert.equal(back.removed.length, DEPTH - 1);
  });

  it('pull refuses a tree too deep for PATH_MAX before it moves any ref', async () => {
    const { repo } = repoWithDeepTree();
    await writeRemoteSummary(repo);
    const client = Repo.init(path.join(tmp(), 'client'), { mode: 'bare' });
    addRemote(client.path, { name: 'origin', url: `file://${repo.path}`, noVerify: true });
    const arbor = new Arbor().use(filePlugin());
    await assert.rejects(pull(client, 'origin', 'deep', { arbor }), (error: ArborError) =>
      error.code === 'ARBOR_FS_PATH_TOO_LONG' && /directories deep/.test(error.message));
    assert.deepEqual(client.listRefs(), {});
    // A shallow tree from the same remote still pulls.
    await pull(client, 'origin', 'shallow', { arbor });
    assert.equal(client.readRef('origin:shallow'), built.shallow);
  });

  it('checkout refuses a tree whose paths exceed PATH_MAX, naming it, and leaves no DEST behind', async () => {
    const { repo } = repoWithDeepTree();
    const dest = path.join(tmp(), 'dest');
    const arbor = new Arbor().use(storagePlugin());
    await assert.rejects(checkoutCommit(arbor, repo, { ref: 'deep', dest }), (error: ArborError) =>
      error.code === 'ARBOR_FS_PATH_TOO_LONG' && /longer than PATH_MAX/.test(error.message));
    assert.ok(!fs.existsSync(dest), 'the failed checkout leaves no DEST');
  });

  it('fsck reports the tree as broken instead of calling it clean', async () => {
    const { repo } = repoWithDeepTree();
    const result = await fsck(new Arbor(), repo);
    const problem = result.problems.find((candidate) => candidate.ref === 'deep');
    assert.ok(problem, JSON.stringify(result.problems).slice(0, 400));
    assert.match(problem.reason ?? '', /PATH_MAX/);
    assert.ok(!result.problems.some((candidate) => candidate.ref === 'shallow'));
  });
});
