import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { commitTree } from '@arbor/core/store';
import { fsck } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import { STALE_AFTER_SECONDS } from '@arbor/core/store';
import { ARBOR_BIN, runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';

describe('issue 19: prune, leftovers and repair', () => {
  const tmp = useTempDir('arbor-harden-prune-');

  /** An archive repo where `main` moved from tree a to tree b: a's own objects are prunable at depth 0. */
  async function repoWithHistory(): Promise<string> {
    fs.chmodSync(tmp(), 0o755);
    const repoPath = path.join(tmp(), 'repo');
    const repo = Repo.init(repoPath, { mode: 'archive' });
    for (const side of ['a', 'b']) {
      writeTree(path.join(tmp(), side), { [`only-${side}`]: `${side}\n`.repeat(100), shared: 'same\n' });
      await commitTree(new Arbor(), repo, { tree: path.join(tmp(), side), branch: 'main', subject: side });
    }
    return repoPath;
  }

  const objectCount = (repoPath: string): number => fs.readdirSync(path.join(repoPath, 'objects'), { recursive: true }).filter((name) => String(name).includes('.')).length;

  it('prune as a user who cannot delete fails, names what it could not delete, and claims no freed bytes', async function () {
    requireRoot(this);
    requireTool(this, 'setpriv');
    const repoPath = await repoWithHistory();
    const before = objectCount(repoPath);
    const home = path.join(tmp(), 'home');
    fs.mkdirSync(home, { mode: 0o777 });
    fs.chmodSync(home, 0o777);
    const run = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', 'env', `HOME=${home}`, process.execPath, ARBOR_BIN, 'prune', '--repo', repoPath, '--depth', '0', '--json'], { encoding: 'utf8' });
    assert.notEqual(run.status, 0, `prune exited 0: ${run.stdout}`);
    assert.match(run.stdout + run.stderr, /ARBOR_STORE_PRUNE_INCOMPLETE/);
    assert.match(run.stdout + run.stderr, /EACCES/);
    assert.doesNotMatch(run.stdout, /"freedBytes": *[1-9]/);
    assert.equal(objectCount(repoPath), before, 'nothing was deleted');
  });

  it('prune --dry-run --json deletes nothing and says what it would delete; the real prune frees exactly that', async () => {
    const repoPath = await repoWithHistory();
    const before = objectCount(repoPath);
    const dry = runArbor(['prune', '--repo', repoPath, '--depth', '0', '--dry-run', '--json']).json<Record<string, unknown>>();
    assert.equal(dry.dryRun, true);
    assert.equal(dry.deleted, 0);
    assert.equal(dry.freedBytes, 0);
    assert.ok((dry.wouldDelete as number) >= 3, JSON.stringify(dry));
    assert.equal(objectCount(repoPath), before);
    const real = runArbor(['prune', '--repo', repoPath, '--depth', '0', '--json']).json<Record<string, unknown>>();
    assert.equal(real.dryRun, false);
    assert.deepEqual([real.deleted, real.freedBytes], [dry.wouldDelete, dry.wouldFreeBytes]);
    assert.equal(objectCount(repoPath), before - (real.deleted as number));
  });

  it('fsck reports what a killed commit left in tmp/, and the next commit removes it', async () => {
    const repoPath = await repoWithHistory();
    // A staging directory as a killed commit leaves it: a dead pid, untouched for over an hour.
    const dead = path.join(repoPath, 'tmp', 'staging-999999999-killed');
    fs.mkdirSync(dead);
    fs.writeFileSync(path.join(dead, 'x.file'), Buffer.alloc(300_000));
    const old = new Date(Date.now() - (STALE_AFTER_SECONDS + 60) * 1000);
    fs.utimesSync(dead, old, old);
    // A live one (this process) of the same age, and a fresh one of a dead pid: both stay.
    const live = path.join(repoPath, 'tmp', `staging-${process.pid}-running`);
    const fresh = path.join(repoPath, 'tmp', 'staging-999999998-fresh');
    for (const dir of [live, fresh]) fs.mkdirSync(dir);
    fs.utimesSync(live, old, old);

    const report = await fsck(new Arbor(), Repo.open(repoPath));
    assert.deepEqual(report.staleStaging.map((entry) => [entry.path, entry.bytes]), [[dead, 300_000]]);
    const cli = runArbor(['fsck', '--repo', repoPath]);
    assert.match(cli.stderr, /stale staging .*staging-999999999-killed: 300000 bytes/);

    writeTree(path.join(tmp(), 'c'), { c: 'c\n' });
    await commitTree(new Arbor(), Repo.open(repoPath), { tree: path.join(tmp(), 'c'), branch: 'other' });
    assert.ok(!fs.existsSync(dead), 'the next commit removed the stale staging directory');
    assert.ok(fs.existsSync(live) && fs.existsSync(fresh), 'a live or recent staging directory is left alone');
  });

  it('fsck --delete removes a corrupt object, so that it counts as missing and a pull can fetch it again', async () => {
    const repoPath = await repoWithHistory();
    const repo = Repo.open(repoPath);
    const root = repo.readDirTree(repo.readCommit(repo.readRef('main')!).rootTree);
    const victim = repo.objectPath(root.files.find((file) => file.name === 'only-b')!.file, 'filez');
    const bytes = fs.readFileSync(victim);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(victim, bytes);

    const checked = runArbor(['fsck', '--repo', repoPath, '--delete', '--json']);
    assert.equal(checked.status, 1);
    const result = checked.json<{ corrupt: string[]; deleted: string[] }>();
    assert.equal(result.corrupt.length, 1);
    assert.deepEqual(result.deleted, result.corrupt);
    assert.ok(!fs.existsSync(victim));
    const after = await fsck(new Arbor(), Repo.open(repoPath));
    assert.deepEqual(after.corrupt, []);
    assert.deepEqual(after.missing, result.corrupt, 'the object is now missing, which pull fetches');
  });
});
