import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Repo, commitTree } from '@arbor/core';
import { requireRoot } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { storeArbor } from './storeFixture';

/** One line on stderr, `Error: ...` naming what is at fault, exit 1, and no stack. */
function assertOneLineError(run: { status: number; stderr: string }, pattern: RegExp): void {
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, /^Error: /);
  assert.match(lines[0]!, pattern);
}

describe('store errors on bad input', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-badinput-');

  function setup(): { tree: string; repo: string } {
    const tree = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(tree, 'dev'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'ok'), 'fine\n');
    const repo = path.join(tmp(), 'repo');
    Repo.init(repo, { mode: 'archive' });
    return { tree, repo };
  }

  function assertNothingWritten(repo: string): void {
    const objects = fs.readdirSync(path.join(repo, 'objects'));
    assert.deepEqual(objects, [], 'no object was published');
    assert.deepEqual(fs.readdirSync(path.join(repo, 'tmp')), [], 'no staging left behind');
    assert.deepEqual(Repo.open(repo).listRefs(), {});
  }

  it('refuses a fifo in the tree, naming it, and writes nothing', () => {
    const { tree, repo } = setup();
    execFileSync('mkfifo', [path.join(tree, 'dev', 'initctl')]);
    const run = runArbor(['commit', '--repo', repo, '--branch', 'x', '--tree', tree]);
    assertOneLineError(run, /dev\/initctl is a fifo.*ARBOR_STORE_FILE_TYPE_UNSUPPORTED/);
    assertNothingWritten(repo);
  });

  it('refuses a socket in the tree', async () => {
    const { tree, repo } = setup();
    const server = net.createServer().listen(path.join(tree, 'dev', 'log'));
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      assertOneLineError(runArbor(['commit', '--repo', repo, '--branch', 'x', '--tree', tree]), /dev\/log is a socket/);
    } finally {
      server.close();
    }
    assertNothingWritten(repo);
  });

  it('refuses a device node in the tree', function () {
    requireRoot(this);
    const { tree, repo } = setup();
    execFileSync('mknod', [path.join(tree, 'dev', 'null'), 'c', '1', '3']);
    assertOneLineError(runArbor(['commit', '--repo', repo, '--branch', 'x', '--tree', tree]), /dev\/null is a character device/);
    assertNothingWritten(repo);
  });

  it('names an unreadable file and writes nothing', function () {
    requireRoot(this);
    const { tree } = setup();
    fs.writeFileSync(path.join(tree, 'secret'), 'not for nobody\n');
    fs.chmodSync(path.join(tree, 'secret'), 0o600);
    // root reads everything, so commit as nobody into a repo nobody owns.
    const repo = path.join(tmp(), 'nobody-repo');
    Repo.init(repo, { mode: 'archive' });
    execFileSync('chown', ['-R', '65534:65534', repo]);
    fs.chmodSync(tmp(), 0o755);
    const run = runArbor(['commit', '--repo', repo, '--branch', 'x', '--tree', tree], { uid: 65534, gid: 65534, cwd: '/', env: { ...process.env, DEBUG: '', HOME: tmp() } });
    assertOneLineError(run, /Cannot read .*tree\/secret: EACCES/);
    assertNothingWritten(repo);
  });

  it('says which ref does not exist', () => {
    const { repo } = setup();
    assertOneLineError(runArbor(['show', '--repo', repo, 'os/nope']), /No ref or commit "os\/nope".*ARBOR_STORE_REF_NOT_FOUND/);
    assertOneLineError(runArbor(['refs', '--repo', repo, '--delete', 'os/nope']), /Ref os\/nope does not exist/);
  });

  it('refuses an ambiguous ID prefix and accepts a unique one', async () => {
    const { tree, repo: repoPath } = setup();
    const repo = Repo.open(repoPath);
    const { commit } = await commitTree(storeArbor(), repo, { tree, branch: 'x' });
    const unique = runArbor(['show', '--repo', repoPath, commit.slice(0, 8), '--json']);
    assert.equal(unique.status, 0, unique.stderr);
    assert.equal(unique.json<{ commit: string }>().commit, commit);
    // A second commit object sharing the first 10 digits (a copy under a forged name).
    const twin = `${commit.slice(0, 10)}${(commit[10] === '0' ? '1' : '0').repeat(54)}`;
    fs.copyFileSync(repo.objectPath(commit, 'commit'), repo.objectPath(twin, 'commit'));
    assertOneLineError(runArbor(['show', '--repo', repoPath, commit.slice(0, 8)]), new RegExp(`prefix ${commit.slice(0, 8)} matches 2 commits.*ARBOR_STORE_PREFIX_AMBIGUOUS`));
    const longer = runArbor(['show', '--repo', repoPath, commit.slice(0, 11), '--json']);
    assert.equal(longer.json<{ commit: string }>().commit, commit);
  });

  it('says a directory is not a repo', () => {
    const dir = path.join(tmp(), 'plain');
    fs.mkdirSync(dir);
    assertOneLineError(runArbor(['refs', '--repo', dir]), new RegExp(`${dir} is not an Arbor repo.*ARBOR_STORE_NOT_A_REPO`));
    assertOneLineError(runArbor(['init', '--repo', tmp()]), /is not empty and is not a repo/);
  });

  it('names an object whose bytes do not match its ID', async () => {
    const { tree, repo: repoPath } = setup();
    const repo = Repo.open(repoPath);
    const { commit } = await commitTree(storeArbor(), repo, { tree, branch: 'x', subject: 'original' });
    const file = repo.objectPath(commit, 'commit');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, Buffer.from(bytes.toString('latin1').replace('original', 'tampered'), 'latin1'));
    assertOneLineError(runArbor(['show', '--repo', repoPath, 'x']), new RegExp(`Object ${commit}\\.commit is corrupt: its bytes hash to [0-9a-f]{64}`));
  });

  it('refuses metadata that is not KEY=VALUE as a usage error', () => {
    const { tree, repo } = setup();
    const run = runArbor(['commit', '--repo', repo, '--branch', 'x', '--tree', tree, '--metadata', 'novalue']);
    assert.equal(run.status, 2, run.stderr);
  });

  it('refuses ref names that would leave refs/', () => {
    const { tree, repo } = setup();
    assertOneLineError(runArbor(['commit', '--repo', repo, '--branch', '../../escape', '--tree', tree]), /Invalid ref "..\/..\/escape"/);
    assertNothingWritten(repo);
  });
});
