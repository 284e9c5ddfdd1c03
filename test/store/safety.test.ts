import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Repo, commitLog, commitTree, fsck, prune } from '@arbor/core';
import { ARBOR_BIN, runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { bytes, storeArbor } from './storeFixture';

/** A tree of `files` files of 16 KiB in 40 directories: big enough that a commit takes a while. */
function makeTree(root: string, files: number, seed: string): void {
  for (let index = 0; index < files; index++) {
    const dir = path.join(root, `d${index % 40}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${index}`), bytes(16 * 1024, `${seed}-${index}`));
  }
}

/** Objects staged so far by a running commit (in tmp/staging-*), or 0 before it stages any. */
function stagedCount(repoPath: string): number {
  let count = 0;
  for (const name of fs.readdirSync(path.join(repoPath, 'tmp'))) {
    if (!name.startsWith('staging-')) continue;
    try {
      count += fs.readdirSync(path.join(repoPath, 'tmp', name)).length;
    } catch {
      // Published and removed between the two reads.
    }
  }
  return count;
}

function start(args: string[]): { done: Promise<{ code: number | null; signal: string | null; stderr: string }>; kill(): void } {
  const child = spawn(process.execPath, [ARBOR_BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBUG: '' } });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const done = new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { done, kill: () => child.kill('SIGKILL') };
}

describe('store safety', function () {
  this.timeout(120_000);
  const tmp = useTempDir('arbor-safety-');

  it('leaves a repo that fsck passes and the next commit uses, whenever a commit is killed', async () => {
    const tree = path.join(tmp(), 'tree');
    makeTree(tree, 1500, 'kill');
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const first = await commitTree(storeArbor(), repo, { tree, branch: 'os/base' });
    // Every file changes, so each killed commit has 1500 objects to compress and write, not one:
    // re-hashing an unchanged tree is fast enough to finish before the first kill.
    makeTree(tree, 1500, 'killed');
    fs.writeFileSync(path.join(tree, 'd0', 'changed'), 'new file for the killed commits\n');
    // Killed once the commit has staged this many objects, however fast the machine is: before
    // any, part-way, and near the end.
    let killedBeforeTheEnd = 0;
    for (const staged of [0, 300, 1200]) {
      const run = start(['commit', '--repo', repo.path, '--branch', 'os/base', '--tree', tree]);
      let exited = false;
      void run.done.then(() => { exited = true; });
      while (!exited && (staged === 0 ? !fs.readdirSync(repo.tmpPath).some((name) => name.startsWith('staging-')) : stagedCount(repo.path) < staged)) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      run.kill();
      const { signal } = await run.done;
      if (signal === 'SIGKILL') killedBeforeTheEnd++;
      const check = await fsck(storeArbor(), Repo.open(repo.path));
      assert.deepEqual(check.problems, [], `after a kill with ${staged} objects staged`);
      const history = commitLog(repo, 'os/base').map((entry) => entry.commit);
      assert.equal(history[history.length - 1], first.commit);
    }
    assert.ok(killedBeforeTheEnd > 0, 'no commit was killed mid-way; the tree is too small for this machine');
    const next = runArbor(['commit', '--repo', repo.path, '--branch', 'os/base', '--tree', tree, '--json']);
    assert.equal(next.status, 0, next.stderr);
    const pruned = await prune(storeArbor(), repo);
    assert.equal(fs.readdirSync(repo.tmpPath).length, 0, 'prune removes staging dirs of killed commits');
    assert.ok(pruned.keptCommits >= 2);
    assert.deepEqual((await fsck(storeArbor(), repo)).problems, []);
  });

  it('commits to two refs at the same time, from two processes, both succeeding', async () => {
    const one = path.join(tmp(), 'one');
    const two = path.join(tmp(), 'two');
    makeTree(one, 300, 'shared');
    makeTree(two, 300, 'shared');
    fs.writeFileSync(path.join(two, 'only-in-two'), 'differs\n');
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const runs = [
      start(['commit', '--repo', repo.path, '--branch', 'os/one', '--tree', one]),
      start(['commit', '--repo', repo.path, '--branch', 'os/two', '--tree', two]),
    ];
    const results = await Promise.all(runs.map((run) => run.done));
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const refs = repo.listRefs();
    assert.deepEqual(Object.keys(refs).sort(), ['os/one', 'os/two']);
    assert.notEqual(refs['os/one'], refs['os/two']);
    assert.deepEqual((await fsck(storeArbor(), repo)).problems, []);
  });

  it('makes prune wait for a running commit (shared lock) and commits wait for prune', async () => {
    const tree = path.join(tmp(), 'tree');
    makeTree(tree, 10, 'lock');
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    await commitTree(storeArbor(), repo, { tree, branch: 'x' });
    const writer = await repo.lock('shared');
    let pruned = false;
    const pruning = prune(storeArbor(), repo).then(() => { pruned = true; });
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(pruned, false, 'prune ran while a writer held the lock');
    writer.release();
    await pruning;
    assert.equal(pruned, true);

    const exclusive = await repo.lock('exclusive');
    await assert.rejects(repo.lock('shared', { timeoutMs: 200 }), /locked by another arbor process/);
    exclusive.release();
    (await repo.lock('shared', { timeoutMs: 200 })).release();
  });
});
