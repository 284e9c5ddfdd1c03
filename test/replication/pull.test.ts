import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addRemote } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { NginxServer } from '../support/NginxServer';
import { requireTool } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { removeTree } from '../support/tempDir';
import {
  arbor, assertCheckoutMatches, changeTree, makeClient, makeSourceRepo, makeTree, refs, startArborServe, type SourceRepo,
} from './replicationFixture';

interface PullJson {
  ref: string;
  commit: string;
  changed: boolean;
  fetched: { objects: number; bytes: number; requests: number };
  estimate: { objects: number | null; bytes: number | null };
}

describe('arbor pull from a served archive repo', function () {
  this.timeout(120_000);
  let dir: string;
  let tree: string;
  let source: SourceRepo;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-pull-'));
    tree = path.join(dir, 'tree');
    makeTree(tree, { large: true });
    source = makeSourceRepo(dir, tree);
  });
  after(() => removeTree(dir));

  it('pulls a signed commit served by `arbor serve`: fsck passes and the checkout is the source tree', async () => {
    const server = await startArborServe(source.repo);
    try {
      const repo = makeClient(dir, 'serve-client', server.url, source.pub, { cli: true });
      const run = arbor(['pull', '--repo', repo, 'origin', 'os/main', '--json']);
      const result = run.json<PullJson>();
      assert.equal(result.commit, source.commit);
      assert.equal(result.ref, 'origin:os/main');
      // The size index gave the exact set: every object fetched but the commit, and its bytes.
      assert.deepEqual(result.estimate, { objects: result.fetched.objects - 1, bytes: result.fetched.bytes });
      assert.deepEqual(arbor(['refs', '--repo', repo, '--json']).json(), { 'origin:os/main': source.commit });
      assert.deepEqual(arbor(['fsck', '--repo', repo, '--json']).json<{ corrupt: string[]; missing: string[] }>().corrupt, []);
      assertCheckoutMatches(repo, 'origin:os/main', tree, path.join(dir, 'serve-checkout'));
    } finally {
      await server.stop();
    }
  });

  it('pulls the same repo served by nginx, then fetches only what changed in the next commit', async function () {
    requireTool(this, 'nginx');
    const server = new NginxServer(source.repo);
    try {
      const repo = client('nginx-client', await server.start());
      const first = arbor(['pull', '--repo', repo, 'origin', 'os/main', '--json']).json<PullJson>();
      assert.equal(first.commit, source.commit);
      assertCheckoutMatches(repo, 'origin:os/main', tree, path.join(dir, 'nginx-checkout'));

      const updated = path.join(dir, 'tree-v2');
      fs.cpSync(tree, updated, { recursive: true, verbatimSymlinks: true });
      changeTree(updated, 5, 'v2');
      const v2 = arbor(['commit', '--repo', source.repo, '--branch', 'os/main', '--tree', updated, '--subject', 'v2', '--sign-key', source.key]).stdout.trim();
      arbor(['summary', '--repo', source.repo, '--sign-key', source.key]);
      const before = server.requests().length;
      const second = arbor(['pull', '--repo', repo, 'origin', 'os/main', '--json']).json<PullJson>();
      assert.equal(second.commit, v2);
      const files = server.requests().slice(before).filter((request) => request.endsWith('.filez'));
      assert.equal(files.length, 6, `5 changed files and 1 new one, got ${files.length}`);
      assert.equal(second.estimate.objects, second.fetched.objects - 1, 'the estimate counted exactly what was fetched');
      assertCheckoutMatches(repo, 'origin:os/main', updated, path.join(dir, 'nginx-checkout-v2'));
      const fsck = arbor(['fsck', '--repo', repo, '--json']).json<{ corrupt: string[]; missing: string[] }>();
      assert.deepEqual([fsck.corrupt, fsck.missing], [[], []]);
      fs.rmSync(updated, { recursive: true });
    } finally {
      await server.stop();
    }
  });

  it('refuses an unsigned commit before fetching any of its tree, and accepts it from a --no-verify remote with a warning', async function () {
    requireTool(this, 'nginx');
    const unsigned = path.join(dir, 'unsigned-repo');
    arbor(['init', '--repo', unsigned, '--mode', 'archive']);
    arbor(['commit', '--repo', unsigned, '--branch', 'os/main', '--tree', path.join(tree, 'usr/bin'), '--subject', 'unsigned']);
    arbor(['summary', '--repo', unsigned, '--sign-key', source.key]);
    const server = new NginxServer(unsigned);
    try {
      const url = await server.start();
      const repo = client('unsigned-client', url);
      const refused = runArbor(['pull', '--repo', repo, 'origin', 'os/main']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /^Error: During verification \(arbor:ed25519\): commit [0-9a-f]{64} from remote origin has no ed25519 signature/);
      assert.deepEqual(server.requests().filter((request) => /\.(dirtree|dirmeta|filez)$/.test(request)), []);
      assert.deepEqual(refs(repo), {});

      arbor(['remote', 'add', 'open', url, '--repo', repo, '--no-verify']);
      const accepted = arbor(['pull', '--repo', repo, 'open', 'os/main']);
      assert.match(accepted.stderr, /^warning: remote open was added with --no-verify/m);
      assert.equal(arbor(['fsck', '--repo', repo, '--json']).json<{ corrupt: string[] }>().corrupt.length, 0);
    } finally {
      await server.stop();
    }
  });

  it('refuses to go back to an older commit unless --allow-downgrade', async () => {
    const served = head();
    const repo = client('downgrade-client', pathToFileURL(source.repo).href);
    arbor(['pull', '--repo', repo, 'origin', 'os/main']);
    // A newer commit than the server's, as if the ref had moved on: the server now offers older.
    const newer = arbor(['commit', '--repo', repo, '--branch', 'origin:os/main', '--tree', path.join(tree, 'usr/bin'), '--subject', 'newer']).stdout.trim();
    const refused = runArbor(['pull', '--repo', repo, 'origin', 'os/main']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /^Error: Remote origin offers commit [0-9a-f]{12} .* older than [0-9a-f]{12} .*\n/);
    assert.equal(refs(repo)['origin:os/main'], newer);
    arbor(['pull', '--repo', repo, 'origin', 'os/main', '--allow-downgrade']);
    assert.equal(refs(repo)['origin:os/main'], served);
  });

  it('makes a mirror with --mirror that serves signed pulls of its own, with history from --depth', async () => {
    const second = path.join(dir, 'tree-d');
    fs.cpSync(path.join(tree, 'usr/bin'), second, { recursive: true, verbatimSymlinks: true });
    fs.writeFileSync(path.join(second, 'added'), 'v2');
    const v2 = arbor(['commit', '--repo', source.repo, '--branch', 'os/main', '--tree', second, '--subject', 'v2', '--sign-key', source.key]).stdout.trim();
    arbor(['summary', '--repo', source.repo, '--sign-key', source.key]);
    const mirror = path.join(dir, 'mirror');
    Repo.init(mirror, { mode: 'archive' });
    addRemote(mirror, { name: 'origin', url: pathToFileURL(source.repo).href, verifyKeyFile: source.pub });
    arbor(['pull', '--repo', mirror, 'origin', 'os/main', '--mirror', '--depth', '1']);
    assert.deepEqual(refs(mirror), { 'os/main': v2 });
    assert.equal(arbor(['log', '--repo', mirror, 'os/main', '--json']).json<unknown[]>().length, 2);
    const server = await startArborServe(mirror);
    try {
      const repo = client('mirror-client', server.url);
      arbor(['pull', '--repo', repo, 'origin', 'os/main']);
      assertCheckoutMatches(repo, 'origin:os/main', second, path.join(dir, 'mirror-checkout'));
    } finally {
      await server.stop();
    }
  });

  function client(name: string, url: string): string {
    return makeClient(dir, name, url, source.pub);
  }

  function head(): string {
    return refs(source.repo)['os/main']!;
  }
});
