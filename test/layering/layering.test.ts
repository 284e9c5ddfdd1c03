import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeploymentStatus } from '@arbor/core/sysroot';
import { snapshotTree } from '../sysroot/sysrootFixture';
import { BRANCH, LayeringSysroot } from './layeringFixture';

interface ChangeJson {
  requests: { packages: string[]; localPackages: string[]; removals: string[]; replacements: string[] };
  previous: ChangeJson['requests'];
  base: string;
  deployed: { commit: string; serial: number; base?: string; path: string; layer?: { reused: boolean; result: { added: { name: string; nevra: string }[]; inactive: string[] } } };
}

interface ShowJson { commit: string; parent: string | null; metadata: Record<string, unknown> }

const V1 = { version: '1', packages: { nano: '7.2', bash: '5.2' } };

/**
 * Client-side layering through the real CLI, with the toy layer plugin (a third-party plugin
 * on the public API) in place of rpm: the pipeline, the origin, the commits and the status.
 */
describe('package layering: install, uninstall, override, upgrade', function () {
  this.timeout(120_000);
  let scratch: string;
  let sysroot: LayeringSysroot;
  let v1: string;

  beforeEach(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-layering-'));
    sysroot = LayeringSysroot.make(scratch);
    v1 = await sysroot.commitBase(V1);
    sysroot.ok('deploy', BRANCH);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const defaultDeployment = (): DeploymentStatus => sysroot.statusJson().deployments.find((deployment) => deployment.index === 0)!;
  const show = (commit: string): ShowJson => sysroot.repoOk('show', commit, '--json').json<ShowJson>();

  it('install records the request and deploys a commit whose parent is the base, with the layering in its metadata', () => {
    const change = sysroot.ok('install', 'htop', '--json').json<ChangeJson>();
    assert.deepEqual(change.requests.packages, ['htop']);
    assert.equal(change.base, v1);
    const layered = change.deployed.commit;
    assert.notEqual(layered, v1);
    assert.equal(change.deployed.layer?.reused, false);

    const commit = show(layered);
    assert.equal(commit.parent, v1, 'the layered commit\'s parent is the base');
    assert.equal(commit.metadata['arbor.layer.base'], v1);
    assert.deepEqual(commit.metadata['arbor.layer.requests'], { packages: ['htop'], localPackages: [], removals: [], replacements: [] });
    const result = commit.metadata['arbor.layer.result'] as { layeredBy: string; added: unknown[] };
    assert.equal(result.layeredBy, 'toylayer:layer');
    assert.deepEqual(result.added, [{ name: 'htop', nevra: 'htop-3.3-1.noarch' }]);
    assert.equal(commit.metadata.version, '1', 'the base\'s version is kept, for titles and status');

    // The deployment has the package; its origin follows the base's ref and records the request.
    const deployment = change.deployed.path;
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/share/toylayer/pkgs/htop'), 'utf8'), '3.3\n');
    assert.match(fs.readFileSync(path.join(deployment, 'usr/bin/htop'), 'utf8'), /htop 3\.3 from .*toyrepo/);
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/share/toylayer/db'), 'utf8'), 'bash\nhtop\nnano\n');
    const origin = fs.readFileSync(`${deployment}.origin`, 'utf8');
    assert.match(origin, /^refspec=os\/x86_64$/m);
    assert.match(origin, /^\[packages\]\nrequested=htop;$/m);
    assert.deepEqual(sysroot.repo().listRefs()[`arbor/deploy-base/os/${layered}.0`], v1, 'the deployment holds its base');

    // The deployment is the scratch tree adopted: exactly what a hardlink checkout of the
    // layered commit makes, new files linked to their objects too.
    const checkout = path.join(scratch, 'checkout');
    sysroot.repoOk('checkout', layered, checkout);
    const tree = (root: string) => Object.fromEntries(Object.entries(snapshotTree(root)).filter(([name]) => !/^(etc|var)(\/|$)/.test(name)));
    assert.deepEqual(tree(deployment), tree(checkout));
    const listed = sysroot.repoOk('ls', layered, '/usr/bin/htop').stdout.trim().split(/\s+/);
    const id = listed[5]!;
    const object = path.join(sysroot.repoPath, 'objects', id.slice(0, 2), `${id.slice(2)}.file`);
    assert.equal(fs.statSync(path.join(deployment, 'usr/bin/htop')).ino, fs.statSync(object).ino, 'a layered file is a link to its object');
    assert.ok(!fs.existsSync(path.join(sysroot.root, 'arbor', 'layering')));
  });

  it('never modifies the base\'s objects: fsck re-hashes them, and the base deployment is unchanged', () => {
    // Pinned, so retention keeps it through the deploys below.
    sysroot.ok('pin', '0');
    const basePath = sysroot.statusJson().deployments[0]!.path;
    const before = snapshotTree(basePath);
    const inodes = fs.statSync(path.join(basePath, 'usr/share/toylayer/db')).ino;
    sysroot.ok('install', 'htop', 'strace');
    sysroot.ok('override', 'remove', 'nano');
    assert.deepEqual(snapshotTree(basePath), before, 'the base deployment shares its inodes with the store: not one byte changed');
    assert.equal(fs.statSync(path.join(basePath, 'usr/share/toylayer/db')).ino, inodes);
    assert.equal(fs.readFileSync(path.join(basePath, 'usr/share/toylayer/db'), 'utf8'), 'bash\nnano\n');
    const fsck = sysroot.repoOk('fsck', '--json').json<{ checked: number; corrupt: string[]; missing: string[] }>();
    assert.deepEqual([fsck.corrupt, fsck.missing], [[], []]);
    assert.ok(fsck.checked > 20);
  });

  it('uninstall and override reset return to the base itself', () => {
    sysroot.ok('install', 'htop');
    const back = sysroot.ok('uninstall', 'htop', '--json').json<ChangeJson>();
    assert.equal(back.deployed.commit, v1, 'no requests left: the base is deployed as it is');
    assert.equal(back.deployed.layer, undefined);
    assert.doesNotMatch(fs.readFileSync(`${back.deployed.path}.origin`, 'utf8'), /\[packages\]/);
    assert.equal(defaultDeployment().base, null);

    const local = path.join(scratch, 'newnano-8.0.rpm');
    fs.writeFileSync(local, 'name=nano\nversion=8.0\n');
    sysroot.ok('override', 'remove', 'bash');
    const replaced = sysroot.ok('override', 'replace', local, '--json').json<ChangeJson>();
    assert.deepEqual(replaced.requests.removals, ['bash']);
    assert.equal(replaced.requests.replacements.length, 1);
    assert.match(replaced.requests.replacements[0]!, /^\/arbor\/packages\/[0-9a-f]{64}\.rpm$/);
    const kept = path.join(sysroot.root, replaced.requests.replacements[0]!);
    assert.equal(fs.readFileSync(kept, 'utf8'), 'name=nano\nversion=8.0\n', 'the local file is kept in the sysroot, named by content');
    assert.equal(fs.readFileSync(path.join(replaced.deployed.path, 'usr/share/toylayer/pkgs/nano'), 'utf8'), '8.0\n');
    assert.ok(!fs.existsSync(path.join(replaced.deployed.path, 'usr/share/toylayer/pkgs/bash')));

    sysroot.ok('override', 'reset', 'bash');
    // A replacement is reset by its file: the same bytes name the kept copy.
    const byFile = sysroot.ok('override', 'reset', local, '--json').json<ChangeJson>();
    assert.equal(byFile.deployed.commit, v1);
    // The kept file stays while a live deployment (here the rollback) requests it.
    sysroot.ok('cleanup');
    assert.ok(fs.existsSync(kept), 'the rollback deployment still requests it');
    sysroot.ok('override', 'remove', 'bash', 'nano');
    const reset = sysroot.ok('override', 'reset', '--all', '--json').json<ChangeJson>();
    assert.equal(reset.deployed.commit, v1);
    assert.deepEqual(reset.previous.removals, ['bash', 'nano']);
    // ... and goes with the last one.
    sysroot.ok('cleanup');
    assert.ok(!fs.existsSync(kept));
  });

  it('an upgrade re-applies the requests on the new base; a second upgrade has nothing to do', async () => {
    sysroot.ok('install', 'htop');
    sysroot.ok('override', 'remove', 'bash');
    const v2 = await sysroot.commitBase({ version: '2', packages: { nano: '7.3', bash: '5.3' } });
    const layeredV1 = sysroot.ok('status', '--json').json<{ deployments: { base: string }[] }>().deployments[0]!.base;
    assert.equal(sysroot.ok('upgrade', '--check').stdout.trim(), `Upgrade available: os/x86_64 ${layeredV1} -> ${v2}`, 'base to base, not the layered commit');
    const upgrade = sysroot.ok('upgrade', '--json').json<{ available: boolean; latest: string; deployed: ChangeJson['deployed'] }>();
    assert.ok(upgrade.available);
    assert.equal(upgrade.deployed.base, v2);
    assert.equal(show(upgrade.deployed.commit).parent, v2);
    const deployment = upgrade.deployed.path;
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/share/toylayer/pkgs/htop'), 'utf8'), '3.3\n');
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/share/toylayer/pkgs/nano'), 'utf8'), '7.3\n', 'the new base\'s packages');
    assert.ok(!fs.existsSync(path.join(deployment, 'usr/share/toylayer/pkgs/bash')), 'the override survives');
    assert.match(fs.readFileSync(path.join(deployment, 'usr/lib/os-release'), 'utf8'), /VERSION="2"/);

    const again = sysroot.ok('upgrade', '--json').json<{ available: boolean }>();
    assert.equal(again.available, false, 'the base did not move: no upgrade, even though the deployed commit is not the base');
    assert.match(sysroot.ok('upgrade').stdout, /No upgrade available/);
  });

  it('rebase to another ref keeps the layers, and back again', async () => {
    sysroot.ok('install', 'htop');
    const testing = await sysroot.commitBase({ version: '2-testing', packages: { nano: '8.0' } }, 'os/testing');
    const rebased = sysroot.ok('rebase', 'os/testing', '--json').json<{ deployed: ChangeJson['deployed'] & { refspec: string } }>().deployed;
    assert.equal(rebased.base, testing);
    assert.equal(rebased.refspec, 'os/testing');
    assert.equal(fs.readFileSync(path.join(rebased.path, 'usr/share/toylayer/pkgs/htop'), 'utf8'), '3.3\n');
    assert.equal(fs.readFileSync(path.join(rebased.path, 'usr/share/toylayer/pkgs/nano'), 'utf8'), '8.0\n');
    const back = sysroot.ok('rebase', BRANCH, '--json').json<{ deployed: ChangeJson['deployed'] }>().deployed;
    assert.equal(back.base, v1);
    assert.deepEqual(defaultDeployment().layered, ['htop']);
  });

  it('reuses the layered commit when base, requests and plugins are the same', () => {
    const first = sysroot.ok('install', 'htop', '--json').json<ChangeJson>();
    const again = sysroot.ok('deploy', BRANCH, '--json').json<ChangeJson['deployed']>();
    assert.equal(again.commit, first.deployed.commit, 'a deploy of the same ref carries the requests and reuses the commit');
    assert.equal(again.layer?.reused, true);
    assert.equal(again.serial, 1);
    sysroot.ok('uninstall', 'htop');
    const reinstall = sysroot.ok('install', 'htop', '--json').json<ChangeJson>();
    assert.equal(reinstall.deployed.commit, first.deployed.commit);
    assert.equal(reinstall.deployed.layer?.reused, true);
  });

  it('shows the base, layered, inactive, removed and replaced packages in status, in the table and in --json', async () => {
    const local = path.join(scratch, 'mytool-1.0.rpm');
    fs.writeFileSync(local, 'name=mytool\nversion=1.0\n');
    sysroot.ok('install', 'htop', local);
    sysroot.ok('override', 'remove', 'bash');
    const v3 = await sysroot.commitBase({ version: '3', packages: { nano: '7.2', bash: '5.2', htop: '3.4' } });
    sysroot.ok('upgrade');
    const status = defaultDeployment();
    assert.equal(status.base, v3);
    assert.deepEqual(status.layered, ['htop', status.requests.localPackages[0]]);
    assert.deepEqual(status.inactive, ['htop'], 'v3 ships htop: the request is inactive, and nothing breaks');
    assert.deepEqual(status.removed, ['bash-5.2-1.noarch']);
    assert.equal(fs.readFileSync(path.join(status.path, 'usr/share/toylayer/pkgs/htop'), 'utf8'), '3.4\n', 'the base\'s htop');
    const rollback = sysroot.statusJson().deployments.find((deployment) => deployment.index === 1)!;
    assert.deepEqual(rollback.inactive, []);

    const table = sysroot.ok('status').stdout;
    assert.match(table, new RegExp(`BaseCommit: ${v3}`));
    assert.match(table, /RemovedBasePackages: bash-5\.2-1\.noarch/);
    assert.match(table, /LocalPackages: \/arbor\/packages\/[0-9a-f]{64}\.rpm/);
    assert.match(table, /Inactive requests: htop/);
    assert.match(table, /LayeredPackages: htop\n/, 'the rollback deployment still layers htop');

    const newer = path.join(scratch, 'nano-9.rpm');
    fs.writeFileSync(newer, 'name=nano\nversion=9\n');
    sysroot.ok('override', 'replace', newer);
    assert.deepEqual(defaultDeployment().replaced, [{ from: 'nano-7.2-1.noarch', to: 'nano-9-1.noarch' }]);
    assert.match(sysroot.ok('status').stdout, /ReplacedBasePackages: nano-7\.2-1\.noarch -> nano-9-1\.noarch/);
    // By name, when it is the only replacement.
    sysroot.ok('override', 'reset', 'nano');
    assert.deepEqual(defaultDeployment().requests.replacements, []);
    // A local package is uninstalled by its file.
    sysroot.ok('uninstall', local);
    assert.deepEqual(defaultDeployment().layered, ['htop']);
  });

  it('a layer tap that fails leaves the old default, no new origin, no scratch directory and no kept file', () => {
    sysroot.ok('install', 'htop');
    const before = sysroot.statusJson();
    const origins = sysroot.origins();
    const run = sysroot.fails('ARBOR_PLUGIN_FAILED', 'install', 'nosuchpkg');
    assert.match(run.stderr, /During package layering \(toylayer:layer\): package nosuchpkg is not in the repo/);
    const broken = path.join(scratch, 'broken.rpm');
    fs.writeFileSync(broken, 'not a toy package\n');
    sysroot.fails('ARBOR_PLUGIN_FAILED', 'install', broken);
    assert.deepEqual(sysroot.statusJson(), before);
    assert.deepEqual(sysroot.origins(), origins);
    assert.ok(!fs.existsSync(path.join(sysroot.root, 'arbor', 'layering')), 'the scratch checkout is gone');
    assert.deepEqual(fs.readdirSync(path.join(sysroot.root, 'arbor', 'packages')), [], 'the file the failed install copied in is gone');
  });

  it('a layered package that conflicts with the new base fails the upgrade, and the old default stays', async () => {
    const local = path.join(scratch, 'mytool-1.0.rpm');
    fs.writeFileSync(local, 'name=mytool\nversion=1.0\n');
    sysroot.ok('install', local);
    const before = sysroot.statusJson();
    await sysroot.commitBase({ version: '2', packages: { nano: '7.2', mytool: '2.0' } });
    const run = sysroot.fails('ARBOR_PLUGIN_FAILED', 'upgrade');
    assert.match(run.stderr, /package mytool conflicts with the base's mytool/);
    assert.deepEqual(sysroot.statusJson(), before);
  });

  it('without a plugin tapping layer, install says which plugin to add', async () => {
    const dir = path.join(scratch, 'bare');
    fs.mkdirSync(dir);
    const bare = LayeringSysroot.make(dir, { plugin: false });
    await bare.commitBase(V1);
    bare.ok('deploy', BRANCH);
    const before = bare.statusJson();
    const run = bare.fails('ARBOR_LAYER_NO_PLUGIN', 'install', 'htop');
    assert.match(run.stderr, /No plugin layers packages onto [0-9a-f]{64}.*hint: Add the rpm plugin \(@arbor\/plugin-rpm/);
    assert.deepEqual(bare.statusJson(), before);
  });

  it('refuses bad requests, naming them', () => {
    sysroot.ok('install', 'htop');
    assert.match(sysroot.fails('ARBOR_LAYER_ALREADY_REQUESTED', 'install', 'htop').stderr, /htop is already installed/);
    assert.match(sysroot.fails('ARBOR_LAYER_NOT_REQUESTED', 'uninstall', 'strace').stderr, /strace is not installed .*hint: Requested: htop/);
    assert.match(sysroot.fails('ARBOR_LAYER_REQUEST_INVALID', 'install', 'a;b').stderr, /"a;b" is not a package name/);
    assert.match(sysroot.fails('ARBOR_LAYER_REQUEST_INVALID', 'override', 'remove', 'x y').stderr, /"x y" is not a package name/);
    assert.match(sysroot.fails('ARBOR_LAYER_PACKAGE_UNREADABLE', 'install', './missing.rpm').stderr, /missing\.rpm/);
    assert.match(sysroot.fails('ARBOR_LAYER_NOT_REQUESTED', 'override', 'reset', 'nano').stderr, /nano is not an override/);
    assert.equal(sysroot.arbor('override', 'reset').status, 2);
  });

  it('install --stage stages the layered deployment; a second install stacks on it', () => {
    sysroot.ok('install', 'htop', '--stage');
    const second = sysroot.ok('install', 'strace', '--stage', '--json').json<ChangeJson>();
    assert.deepEqual(second.requests.packages, ['htop', 'strace'], 'the staged deployment\'s requests are the starting point');
    const staged = sysroot.statusJson().deployments.find((deployment) => deployment.staged)!;
    assert.deepEqual(staged.layered, ['htop', 'strace']);
    assert.equal(staged.base, v1);
    sysroot.ok('finalize');
    const finalized = defaultDeployment();
    assert.deepEqual([finalized.commit, finalized.layered], [staged.commit, ['htop', 'strace']]);
    assert.ok(fs.existsSync(path.join(finalized.path, 'usr/bin/strace')));
    sysroot.assertEntriesBootCompleteDeployments();
  });

  it('keeps the base of a layered deployment through cleanup\'s prune, so uninstall can deploy it after the ref moved', async () => {
    sysroot.ok('install', 'htop');
    await sysroot.commitBase({ version: '2', packages: { nano: '7.3' } });
    sysroot.ok('cleanup');
    sysroot.ok('cleanup');
    assert.ok(sysroot.repo().hasObject(v1, 'commit'), 'the deploy-base ref held v1');
    const back = sysroot.ok('uninstall', 'htop', '--json').json<ChangeJson>();
    assert.equal(back.deployed.commit, v1);
    sysroot.ok('cleanup');
    const refs = Object.keys(sysroot.repo().listRefs());
    assert.deepEqual(refs.filter((ref) => ref.startsWith('arbor/layer/')).length, 1, 'only the rollback\'s layered commit keeps its cache ref');
  });
});
