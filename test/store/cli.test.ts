import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Repo, commitTree } from '@arbor/core';
import { storeArbor } from './storeFixture';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

const ID = /^[0-9a-f]{64}$/;


describe('arbor repository commands (docs/command-contract.md)', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-cli-');
  /** Made once with the CLI (init, two commits) and only read by the tests that share it. */
  let shared: { repo: string; tree: string; first: string; second: string };
  let sharedDir = '';

  before(async function () {
    this.timeout(60_000);
    sharedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-cli-shared-'));
    shared = await commitTwo(sharedDir, true);
  });

  after(() => fs.rmSync(sharedDir, { recursive: true, force: true }));

  function ok(args: string[]) {
    const run = runArbor(args);
    assert.equal(run.status, 0, `arbor ${args.join(' ')}: ${run.stderr}`);
    return run;
  }

  /** A repo with two commits on os/stable, made with the CLI or (faster) with the library. */
  async function commitTwo(dir: string, withCli = false): Promise<{ repo: string; tree: string; first: string; second: string }> {
    const repo = path.join(dir, 'repo');
    const tree = path.join(dir, 'tree');
    fs.mkdirSync(path.join(tree, 'etc'), { recursive: true });
    fs.mkdirSync(path.join(tree, 'usr/bin'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'etc/os-release'), 'NAME=Arbor\nVERSION=1\n');
    fs.writeFileSync(path.join(tree, 'etc/removed'), 'goes away\n');
    fs.writeFileSync(path.join(tree, 'usr/bin/tool'), '#!/bin/sh\necho one\n', { mode: 0o755 });
    fs.symlinkSync('tool', path.join(tree, 'usr/bin/alias'));
    if (withCli) assert.deepEqual(ok(['init', '--repo', repo, '--mode', 'archive', '--json']).json(), { repo, mode: 'archive' });
    else Repo.init(repo, { mode: 'archive' });
    const commit = async (subject: string, version: string, body?: string): Promise<string> => {
      if (!withCli) return (await commitTree(storeArbor(), Repo.open(repo), { tree, branch: 'os/stable', subject, metadata: { version } })).commit;
      const args = ['commit', '--repo', repo, '--branch', 'os/stable', '--tree', tree, '--subject', subject, '--metadata', `version=${version}`];
      if (body === undefined) return ok(args).stdout.trim();
      const json = ok([...args, '--body', body, '--json']).json<{ commit: string; ref: string }>();
      assert.equal(json.ref, 'os/stable');
      return json.commit;
    };
    const first = await commit('one', '1');
    assert.match(first, ID);
    fs.writeFileSync(path.join(tree, 'etc/os-release'), 'NAME=Arbor\nVERSION=2\n');
    fs.rmSync(path.join(tree, 'etc/removed'));
    fs.mkdirSync(path.join(tree, 'opt/new'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'opt/new/file'), 'added\n');
    fs.chmodSync(path.join(tree, 'usr/bin'), 0o700);
    const second = await commit('two', '2', 'the second');
    assert.match(second, ID);
    return { repo, tree, first, second };
  }

  it('show, log and refs print the fields the command contract lists; REF^, full IDs and 8-digit prefixes resolve', () => {
    const { repo, first, second } = shared;
    const show = ok(['show', '--repo', repo, 'os/stable', '--json']).json<Record<string, unknown>>();
    for (const field of ['commit', 'parent', 'subject', 'timestamp', 'root', 'metadata']) assert.ok(field in show, field);
    assert.equal(show.commit, second);
    assert.equal(show.parent, first);
    assert.equal(show.subject, 'two');
    assert.deepEqual(show.metadata, { version: '2' });
    assert.match(show.root as string, ID);
    assert.equal(ok(['show', '--repo', repo, 'os/stable^', '--json']).json<{ commit: string }>().commit, first);
    assert.equal(ok(['show', '--repo', repo, `${second}^`, '--json']).json<{ commit: string }>().commit, first);
    assert.equal(ok(['show', '--repo', repo, second.slice(0, 8), '--json']).json<{ commit: string }>().commit, second);
    assert.match(runArbor(['show', '--repo', repo, 'os/stable^^']).stderr, /has no parent/);

    const log = ok(['log', '--repo', repo, 'os/stable', '--json']).json<Array<Record<string, unknown>>>();
    assert.deepEqual(log.map((entry) => entry.commit), [second, first]);
    assert.deepEqual(log.map((entry) => entry.subject), ['two', 'one']);
    for (const entry of log) for (const field of ['commit', 'subject', 'timestamp', 'metadata']) assert.ok(field in entry, field);

    assert.deepEqual(ok(['refs', '--repo', repo, '--json']).json(), { 'os/stable': second });
    assert.equal(ok(['refs', '--repo', repo]).stdout, `os/stable ${second}\n`);
  });

  it('diff lists A, M and D lines, and the same as JSON', () => {
    const { repo } = shared;
    const lines = ok(['diff', '--repo', repo, 'os/stable^', 'os/stable']).stdout.trim().split('\n');
    assert.deepEqual(lines, ['D /etc/removed', 'M /etc/os-release', 'A /opt', 'A /opt/new', 'A /opt/new/file', 'M /usr/bin'].sort((a, b) => a.slice(2).localeCompare(b.slice(2))));
    assert.deepEqual(ok(['diff', '--repo', repo, 'os/stable^', 'os/stable', '--json']).json(), {
      added: ['/opt', '/opt/new', '/opt/new/file'],
      modified: ['/etc/os-release', '/usr/bin'],
      removed: ['/etc/removed'],
    });
  });

  it('ls prints type, mode, uid, gid, size, ID and path; cat prints the bytes', () => {
    const { repo } = shared;
    const uid = process.getuid!();
    const gid = process.getgid!();
    const lines = ok(['ls', '--repo', repo, 'os/stable', '/usr/bin']).stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, new RegExp(`^d 0700 ${uid} ${gid} 0 [0-9a-f]{64} /usr/bin$`));
    assert.match(lines[1]!, new RegExp(`^l 0777 ${uid} ${gid} 0 [0-9a-f]{64} /usr/bin/alias -> tool$`));
    assert.match(lines[2]!, new RegExp(`^- 0755 ${uid} ${gid} 19 [0-9a-f]{64} /usr/bin/tool$`));
    const recursive = ok(['ls', '--repo', repo, 'os/stable', '-R', '--json']).json<Array<{ path: string }>>();
    assert.deepEqual(recursive.map((entry) => entry.path), ['/', '/etc', '/etc/os-release', '/opt', '/opt/new', '/opt/new/file', '/usr', '/usr/bin', '/usr/bin/alias', '/usr/bin/tool']);
    assert.equal(ok(['cat', '--repo', repo, 'os/stable', '/etc/os-release']).stdout, 'NAME=Arbor\nVERSION=2\n');
    assert.equal(ok(['cat', '--repo', repo, 'os/stable^', 'etc/os-release']).stdout, 'NAME=Arbor\nVERSION=1\n');
    assert.match(runArbor(['cat', '--repo', repo, 'os/stable', '/etc/nope']).stderr, /\/etc\/nope: no such path in commit/);
  });

  it('checkout takes --subpath, refuses a non-empty DEST and merges with --union', () => {
    const { repo } = shared;
    const etc = path.join(tmp(), 'etc');
    const result = ok(['checkout', '--repo', repo, 'os/stable', etc, '--subpath', '/etc', '--strategy', 'copy', '--json']).json<{ files: number; strategy: string }>();
    assert.deepEqual(fs.readdirSync(etc), ['os-release']);
    assert.equal(result.files, 1);
    assert.equal(result.strategy, 'copy');
    const full = path.join(tmp(), 'full');
    fs.mkdirSync(path.join(full, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(full, 'etc/os-release'), 'old\n');
    fs.writeFileSync(path.join(full, 'keep-me'), 'mine\n');
    const refused = runArbor(['checkout', '--repo', repo, 'os/stable', full]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /full is not empty .*--union/);
    ok(['checkout', '--repo', repo, 'os/stable', full, '--union']);
    assert.equal(fs.readFileSync(path.join(full, 'etc/os-release'), 'utf8'), 'NAME=Arbor\nVERSION=2\n');
    assert.equal(fs.readFileSync(path.join(full, 'keep-me'), 'utf8'), 'mine\n');
    assert.equal(fs.readlinkSync(path.join(full, 'usr/bin/alias')), 'tool');
  });

  it('prune --depth keeps N ancestors and reports deleted objects and freed bytes', async () => {
    const { repo, first } = await commitTwo(tmp());
    const kept = ok(['prune', '--repo', repo, '--json']).json<{ deleted: number; freedBytes: number }>();
    assert.deepEqual([kept.deleted, kept.freedBytes], [0, 0]);
    const pruned = ok(['prune', '--repo', repo, '--depth', '0', '--json']).json<{ deleted: number; freedBytes: number }>();
    assert.ok(pruned.deleted >= 3, `deleted ${pruned.deleted}`);
    assert.ok(pruned.freedBytes > 0);
    assert.match(runArbor(['show', '--repo', repo, first]).stderr, /not in the repo/);
    assert.equal(ok(['log', '--repo', repo, 'os/stable', '--json']).json<unknown[]>().length, 1);
    assert.equal(ok(['cat', '--repo', repo, 'os/stable', '/etc/os-release']).stdout, 'NAME=Arbor\nVERSION=2\n');
  });

  it('prune --keep-younger-than keeps recent history and drops the old', async () => {
    const { repo, first } = await commitTwo(tmp());
    ok(['prune', '--repo', repo, '--keep-younger-than', '1h']);
    assert.equal(ok(['show', '--repo', repo, first, '--json']).json<{ commit: string }>().commit, first);
    ok(['prune', '--repo', repo, '--keep-younger-than', '0s']);
    assert.equal(runArbor(['show', '--repo', repo, first]).status, 1);
  });

  it('refs --delete removes a ref; prune then frees what only it reached', async () => {
    const { repo, tree } = await commitTwo(tmp());
    fs.writeFileSync(path.join(tree, 'only-on-topic'), 'topic\n');
    ok(['commit', '--repo', repo, '--branch', 'topic/x', '--tree', tree]);
    assert.deepEqual(Object.keys(ok(['refs', '--repo', repo, '--delete', 'topic/x', '--json']).json()), ['os/stable']);
    assert.equal(fs.existsSync(path.join(repo, 'refs/heads/topic')), false);
    assert.ok(ok(['prune', '--repo', repo, '--json']).json<{ deleted: number }>().deleted >= 3);
  });
});
