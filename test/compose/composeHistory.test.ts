import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { OS_PACKAGES, arborOk, initRepo, showCommit, writeConfig } from './composeFixture';
import { buildTestRepo } from './TestRpmRepo';

interface DbDiffJson {
  added: { name: string }[];
  removed: { name: string }[];
  upgraded: { name: string; from: string; to: string }[];
  downgraded: { name: string; from: string; to: string }[];
}

describe('composes over time: db list, db diff, versions and scriptlets', function () {
  this.timeout(120000);
  let work: string;
  let rpms: string;
  let config: string;

  before(function () {
    requireTool(this, 'rpmbuild', 'createrepo_c');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-compose-history-'));
    rpms = path.join(work, 'rpms');
    buildTestRepo(rpms, OS_PACKAGES, path.join(work, 'build'));
    config = writeConfig(work);
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function writeTreefile(name: string, body: Record<string, unknown>): string {
    const file = path.join(work, name);
    fs.writeFileSync(file, JSON.stringify({ ref: 'demo/base', repos: [rpms], scriptlets: false, 'automatic-version-prefix': '7', ...body }));
    return file;
  }

  it('lists each commit\'s packages and diffs them: added, removed, upgraded, downgraded', () => {
    const repo = initRepo(path.join(work, 'history-repo'));
    const first = arborOk(config, 'compose', 'tree', writeTreefile('v1.json', { packages: ['hello'] }), '--repo', repo, '--json').json<{ version: string }>();
    assert.equal(first.version, '7');

    // The repo moves on: greeting 3.0 appears, and so does a new tool.
    buildTestRepo(rpms, [
      { name: 'greeting', version: '3.0', requires: ['demo-filesystem'], files: { '/usr/share/greeting/text': 'hello, new world\n' } },
      { name: 'extra-tool', files: { '/usr/bin/extra-tool': { content: '#!/bin/sh\n', mode: 0o755 } } },
    ], path.join(work, 'build2'));
    const second = arborOk(config, 'compose', 'tree', writeTreefile('v2.json', { packages: ['hello', 'extra-tool'], 'exclude-packages': ['hello-docs'] }), '--repo', repo, '--json').json<{ version: string }>();
    assert.equal(second.version, '7.1');

    const diff = arborOk(config, 'db', 'diff', '--repo', repo, 'demo/base^', 'demo/base', '--json').json<DbDiffJson>();
    assert.deepEqual(diff.added.map((p) => p.name), ['extra-tool']);
    assert.deepEqual(diff.removed.map((p) => p.name), ['hello-docs']);
    assert.deepEqual(diff.upgraded, [{ name: 'greeting', arch: 'noarch', from: '2.1-1', to: '3.0-1' }]);
    assert.deepEqual(diff.downgraded, []);
    assert.deepEqual(arborOk(config, 'db', 'list', '--repo', repo, 'demo/base^', '--json').json<{ name: string }[]>().map((p) => p.name),
      ['demo-filesystem', 'greeting', 'hello', 'hello-docs']);

    // Asking for the older greeting by version is a downgrade.
    arborOk(config, 'compose', 'tree', writeTreefile('v3.json', { packages: ['hello', 'greeting-2.1'] }), '--repo', repo, '--json');
    const back = arborOk(config, 'db', 'diff', '--repo', repo, 'demo/base^', 'demo/base', '--json').json<DbDiffJson>();
    assert.deepEqual(back.downgraded, [{ name: 'greeting', arch: 'noarch', from: '3.0-1', to: '2.1-1' }]);
    assert.deepEqual(back.removed.map((p) => p.name), ['extra-tool']);
    assert.deepEqual(back.added.map((p) => p.name), ['hello-docs']);
  });

  it('runs %post in the tree with the tree\'s own shell and reports the Lua scriptlet it could not run', function () {
    requireTool(this, 'bwrap');
    requireRoot(this);
    if (!fs.existsSync('/lib64/ld-linux-x86-64.so.2')) this.skip();
    const shellRepo = path.join(work, 'shell-rpms');
    fs.cpSync(rpms, shellRepo, { recursive: true });
    buildTestRepo(shellRepo, [
      {
        name: 'shell', provides: ['/bin/sh'], requires: ['demo-filesystem'],
        hostFiles: { '/usr/bin/sh': '/bin/dash', '/usr/lib64/ld-linux-x86-64.so.2': '/lib64/ld-linux-x86-64.so.2', '/usr/lib/x86_64-linux-gnu/libc.so.6': '/lib/x86_64-linux-gnu/libc.so.6' },
        files: { '/lib64': { symlink: 'usr/lib64' }, '/lib': { symlink: 'usr/lib' } },
      },
      {
        name: 'greeter', requires: ['shell', 'demo-filesystem'],
        files: { '/usr/share/greeter': { dir: true } },
        scripts: { post: 'echo "installed $1" > /usr/share/greeter/post', posttrans: { interpreter: '<lua>', body: 'print("done")' } },
      },
    ], path.join(work, 'build3'));
    const repo = initRepo(path.join(work, 'scriptlet-repo'));
    const file = path.join(work, 'scripted.json');
    fs.writeFileSync(file, JSON.stringify({ ref: 'demo/scripted', repos: [shellRepo], packages: ['greeter'] }));
    const result = arborOk(config, 'compose', 'tree', file, '--repo', repo, '--json')
      .json<{ commit: string; skippedScriptlets: { package: string; scriptlet: string; reason: string }[] }>();
    assert.deepEqual(result.skippedScriptlets.map((s) => `${s.package} ${s.scriptlet}`), ['greeter-1.0-1.noarch %posttrans']);
    assert.match(result.skippedScriptlets[0]!.reason, /Lua/);

    const dest = path.join(work, 'scripted-checkout');
    arborOk(config, 'checkout', '--repo', repo, 'demo/scripted', dest);
    assert.equal(fs.readFileSync(path.join(dest, 'usr/share/greeter/post'), 'utf8'), 'installed 1\n');
    const shown = showCommit(repo, 'demo/scripted');
    assert.deepEqual(shown.metadata['arbor.compose.scriptlets.skipped'], result.skippedScriptlets);
    // The same compose with scriptlets off reports the %post too, and the tree lacks its output.
    fs.writeFileSync(file, JSON.stringify({ ref: 'demo/quiet', repos: [shellRepo], packages: ['greeter'], scriptlets: false }));
    const quiet = arborOk(config, 'compose', 'tree', file, '--repo', repo, '--json').json<{ skippedScriptlets: { scriptlet: string }[] }>();
    assert.deepEqual(quiet.skippedScriptlets.map((s) => s.scriptlet), ['%post', '%posttrans']);
  });
});
