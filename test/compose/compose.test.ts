import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NginxServer } from '../support/NginxServer';
import { requireTool } from '../support/requireTool';
import { OS_PACKAGES, applyPostprocessMoves, arborOk, arborOkAsync, commitObjects, describeTree, initRepo as makeRepo, showCommit, writeConfig } from './composeFixture';
import { buildTestRepo } from './TestRpmRepo';

interface ComposeJson {
  commit: string;
  ref: string;
  changed: boolean;
  packages: { name: string; epoch: number; version: string; release: string; arch: string }[];
}

/**
 * What compose adds beyond the packages' files, checked on their own: the tmpfiles.d lines for
 * /var, and the rpmdb (test/rpmdb).
 */
const AUTOVAR = [/^usr\/lib\/tmpfiles\.d(\/arbor-autovar\.conf)?$/, /^usr\/lib\/sysimage(\/rpm(\/rpmdb\.sqlite)?)?$/];

const EXPECTED_SET = ['demo-filesystem-3.18-1', 'greeting-2.1-1', 'hello-2.12-3', 'hello-docs-2.12-1', 'kernel-demo-6.1.0-1'];

describe('arbor compose tree', function () {
  this.timeout(120000);
  let work: string;
  let repoDir: string;
  let config: string;
  let rpms: string[];

  before(function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'rpm');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-compose-'));
    repoDir = path.join(work, 'rpms');
    rpms = buildTestRepo(repoDir, OS_PACKAGES, path.join(work, 'build'));
    config = writeConfig(work);
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  let counter = 0;
  function fresh(name: string): string {
    const dir = path.join(work, `${name}-${++counter}`);
    fs.mkdirSync(dir);
    return dir;
  }

  function initRepo(): string {
    return makeRepo(path.join(fresh('repo'), 'repo'));
  }

  function treefile(dir: string, body: Record<string, unknown>): string {
    const file = path.join(dir, 'tree.json');
    fs.writeFileSync(file, JSON.stringify({ ref: 'demo/x86_64/base', packages: ['hello', 'kernel-demo'], scriptlets: false, ...body }, null, 2));
    return file;
  }

  function rootOf(repo: string, ref: string): string {
    return showCommit(repo, ref).root;
  }

  /**
   * The reference tree: the same resolved RPMs installed by rpm itself (no scripts, no dependency
   * checks), then the postprocess moves applied by hand.
   */
  function rpmReference(packages: ComposeJson['packages']): string[] {
    const root = fresh('rpm-root');
    const files = packages.map((pkg) => rpms.find((file) => path.basename(file) === `${pkg.name}-${pkg.version}-${pkg.release}.${pkg.arch}.rpm`)!);
    // The rpmdb goes under /var, which the postprocess moves empty (Debian's rpm defaults to ~/.rpmdb).
    execFileSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '-i', '--noscripts', '--nodeps', '--nosignature', ...files], { stdio: 'pipe' });
    applyPostprocessMoves(root);
    return describeTree(root);
  }

  function checkedOut(repo: string, ref: string): string {
    const dest = path.join(fresh('checkout'), 'root');
    arborOk(config, 'checkout', '--repo', repo, ref, dest);
    return dest;
  }

  it('installs what rpm installs from a local repo, after the postprocess moves', () => {
    const repo = initRepo();
    const result = arborOk(config, 'compose', 'tree', treefile(fresh('tf'), { repos: [repoDir] }), '--repo', repo, '--json').json<ComposeJson>();
    assert.equal(result.ref, 'demo/x86_64/base');
    assert.match(result.commit, /^[0-9a-f]{64}$/);
    assert.deepEqual(result.packages.map((p) => `${p.name}-${p.version}-${p.release}`).sort(), EXPECTED_SET);

    const tree = checkedOut(repo, 'demo/x86_64/base');
    const ours = describeTree(tree, AUTOVAR);
    assert.deepEqual(ours, rpmReference(result.packages));
    assert.ok(!fs.existsSync(path.join(tree, 'etc')) && fs.existsSync(path.join(tree, 'usr/etc/hello.conf')));
    assert.deepEqual(fs.readdirSync(path.join(tree, 'var')), []);
    const autovar = fs.readFileSync(path.join(tree, 'usr/lib/tmpfiles.d/arbor-autovar.conf'), 'utf8');
    assert.match(autovar, /^d \/var\/lib\/hello 0750 root root - -$/m);
    assert.match(autovar, /^d \/var\/tmp 1777 root root - -$/m);
    assert.match(autovar, /^L \/var\/lib\/hello-current - - - - \/usr\/share\/greeting$/m);

    const listed = arborOk(config, 'db', 'list', '--repo', repo, 'demo/x86_64/base', '--json').json<ComposeJson['packages']>();
    assert.deepEqual(listed, [...result.packages].sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('composes the same tree from the repo served over HTTP by nginx, caching by checksum', async function () {
    requireTool(this, 'nginx');
    const server = new NginxServer(repoDir);
    const url = await server.start();
    try {
      const local = initRepo();
      const remote = initRepo();
      const cache = path.join(fresh('cache'), 'cache');
      const [, remoteRun] = await Promise.all([
        arborOkAsync(config, 'compose', 'tree', treefile(fresh('tf'), { repos: [repoDir] }), '--repo', local, '--json'),
        arborOkAsync(config, 'compose', 'tree', treefile(fresh('tf'), { repos: [url] }), '--repo', remote, '--cache-dir', cache, '--json'),
      ]);
      const result = remoteRun.json<ComposeJson>();
      assert.equal(rootOf(remote, result.commit), rootOf(local, 'demo/x86_64/base'));
      assert.deepEqual(describeTree(checkedOut(remote, result.commit), AUTOVAR), rpmReference(result.packages));
      assert.ok(server.requests().includes('/repodata/repomd.xml'));
      assert.ok(server.requests().some((request) => request.endsWith('/hello-2.12-3.noarch.rpm')));
      // Everything downloaded is kept under its checksum: metadata and the five packages.
      assert.ok(fs.readdirSync(cache).filter((name) => /^sha256-[0-9a-f]{64}$/.test(name)).length >= 6);
    } finally {
      await server.stop();
    }
  });

  it('makes the same root on a second compose, and then says there are no changes', async () => {
    const first = initRepo();
    const second = initRepo();
    const file = treefile(fresh('tf'), { repos: [repoDir], 'automatic-version-prefix': '40' });
    const [a, b] = (await Promise.all([
      arborOkAsync(config, 'compose', 'tree', file, '--repo', first, '--json'),
      arborOkAsync(config, 'compose', 'tree', file, '--repo', second, '--json'),
    ])).map((run) => run.json<ComposeJson>());
    assert.equal(rootOf(first, a!.commit), rootOf(second, b!.commit));

    const [again, repeated] = await Promise.all([
      arborOkAsync(config, 'compose', 'tree', file, '--repo', first),
      arborOkAsync(config, 'compose', 'tree', file, '--repo', first, '--json'),
    ]);
    assert.match(again.stdout, /^No changes: demo\/x86_64\/base is [0-9a-f]{64}$/m);
    const json = repeated.json<ComposeJson>();
    assert.equal(json.changed, false);
    assert.equal(json.commit, a!.commit);
    assert.equal(commitObjects(first).length, 1);
  });

  it('applies remove-files, add-files, units and postprocess-script', () => {
    const dir = fresh('tf');
    fs.writeFileSync(path.join(dir, 'motd'), 'Welcome to the demo.\n');
    const repo = initRepo();
    const file = treefile(dir, {
      repos: [repoDir],
      'remove-files': ['usr/share/doc'],
      'add-files': [['motd', '/etc/motd']],
      units: ['hello.service'],
      metadata: { 'demo.flavor': 'base' },
      'automatic-version-prefix': '40',
    });
    const result = arborOk(config, 'compose', 'tree', file, '--repo', repo, '--json').json<ComposeJson & { version: string }>();
    assert.equal(result.version, '40');
    const tree = checkedOut(repo, result.commit);
    assert.ok(!fs.existsSync(path.join(tree, 'usr/share/doc')));
    assert.equal(fs.readFileSync(path.join(tree, 'usr/etc/motd'), 'utf8'), 'Welcome to the demo.\n');
    assert.equal(fs.readlinkSync(path.join(tree, 'usr/lib/systemd/system/multi-user.target.wants/hello.service')), '/usr/lib/systemd/system/hello.service');
    assert.ok(fs.existsSync(path.join(tree, 'usr/lib/modules/6.1.0-1.demo/vmlinuz')));
    const shown = showCommit(repo, result.commit);
    assert.equal(shown.metadata['demo.flavor'], 'base');
    assert.equal(shown.metadata.version, '40');
  });

  it('prints the resolved set on --dry-run and writes nothing', () => {
    const repo = initRepo();
    const run = arborOk(config, 'compose', 'tree', treefile(fresh('tf'), { repos: [repoDir], recommends: false }), '--repo', repo, '--dry-run', '--json');
    const result = run.json<ComposeJson>();
    assert.equal(result.commit, undefined);
    assert.deepEqual(result.packages.map((p) => p.name).sort(), ['demo-filesystem', 'greeting', 'hello', 'kernel-demo']);
    assert.deepEqual(commitObjects(repo), []);
  });
});
