import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blake3Backend } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import { OriginFile } from '@arbor/core/sysroot';
import { TestSysroot, type OsVersion, type DeploymentJson } from './sysrootFixture';
import { runArbor } from '../support/runArbor';

const V1: OsVersion = {
  version: '1',
  etc: {
    'app.conf': 'app default v1\n',
    'other.conf': 'other default v1\n',
    'remove-me.conf': 'remove me\n',
    'sub/nested.conf': 'nested v1\n',
  },
  var: { 'lib/app/state': 'seeded from v1\n' },
};

/** v2 changes the default of app.conf (which the admin edits) and of other.conf, and adds one. */
const V2: OsVersion = {
  version: '2',
  etc: {
    'app.conf': 'app default v2\n',
    'other.conf': 'other default v2\n',
    'remove-me.conf': 'remove me\n',
    'sub/nested.conf': 'nested v1\n',
    'new-default.conf': 'new in v2\n',
  },
  var: { 'lib/app/state': 'seeded from v2\n' },
};

const V3: OsVersion = { ...V2, version: '3', kernelVersion: '6.1.0' };

function bootcsum(kver: string): string {
  const stream = blake3Backend().create();
  stream.update(Buffer.from(`vmlinuz ${kver}\n`));
  stream.update(Buffer.from(`initramfs ${kver}\n`));
  return stream.digest().toString('hex');
}

/** The inode numbers of every file object in the repo, to recognize hardlinks into it. */
function objectInodes(repo: string): Set<number> {
  const inodes = new Set<number>();
  const objects = path.join(repo, 'objects');
  for (const shard of fs.readdirSync(objects)) {
    for (const name of fs.readdirSync(path.join(objects, shard))) {
      if (name.endsWith('.file')) inodes.add(fs.lstatSync(path.join(objects, shard, name)).ino);
    }
  }
  return inodes;
}

function order(deployments: DeploymentJson[]): string[] {
  return deployments.filter((d) => !d.staged).map((d) => `${d.version}.${d.serial}`);
}

describe('deployments, end to end through the CLI', function () {
  this.timeout(120_000);
  let scratch: string;
  let sysroot: TestSysroot;
  let v1: string;
  let v2: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-deploy-'));
    sysroot = TestSysroot.create(path.join(scratch, 'sysroot'));
    v1 = await sysroot.commit(scratch, V1);
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('deploys v1: a hardlinked tree, a real etc/, /var seeded, and a BLS entry with the kargs', () => {
    const result = sysroot.json('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2', '--karg', 'quiet');
    assert.deepEqual([result.commit, result.serial, result.index, result.seededVar], [v1, 0, 0, true]);

    const deployment = sysroot.deploymentPath(v1);
    const inodes = objectInodes(sysroot.repoPath);
    for (const file of ['usr/bin/tool', 'usr/lib/os-release', 'usr/etc/app.conf']) {
      assert.ok(inodes.has(fs.lstatSync(path.join(deployment, file)).ino), `${file} is a hardlink of a repo object`);
    }
    for (const file of ['etc/app.conf', 'etc/sub/nested.conf']) {
      const stat = fs.lstatSync(path.join(deployment, file));
      assert.ok(!inodes.has(stat.ino) && stat.nlink === 1, `${file} is a real copy`);
    }
    assert.equal(fs.readFileSync(path.join(deployment, 'etc/sub/nested.conf'), 'utf8'), 'nested v1\n');
    assert.equal(fs.readFileSync(path.join(sysroot.root, 'arbor/deploy/os/var/lib/app/state'), 'utf8'), 'seeded from v1\n');

    const csum = bootcsum('6.0.0');
    assert.equal(fs.readFileSync(path.join(sysroot.root, `boot/arbor/os-${csum}/vmlinuz-6.0.0`), 'utf8'), 'vmlinuz 6.0.0\n');
    const entries = sysroot.bootEntries();
    assert.deepEqual([...entries.keys()], ['arbor-1.conf']);
    const entry = entries.get('arbor-1.conf')!;
    assert.equal(entry.options, `root=/dev/vda2 quiet arbor=/arbor/boot.0/os/${csum}/0`);
    assert.equal(entry.get('title'), 'Arbor Test OS 1 (arbor:os:0)');
    assert.equal(entry.get('version'), '1');
    assert.equal(entry.get('linux'), `/arbor/os-${csum}/vmlinuz-6.0.0`);
    assert.equal(entry.get('initrd'), `/arbor/os-${csum}/initramfs-6.0.0.img`);
    assert.equal(fs.realpathSync(path.join(sysroot.root, `arbor/boot.0/os/${csum}/0`)), deployment);

    const origin = OriginFile.read(`${deployment}.origin`);
    assert.deepEqual([origin.refspec, origin.kargs, origin.pinned], ['os/x86_64', ['root=/dev/vda2', 'quiet'], false]);
    const [only] = sysroot.status().deployments;
    assert.deepEqual(
      { ...only, path: undefined },
      { index: 0, stateroot: 'os', commit: v1, serial: 0, default: true, staged: false, pinned: false, booted: false, version: '1', origin: 'os/x86_64', kargs: ['root=/dev/vda2', 'quiet'], path: undefined, bootcsum: csum, kernelVersion: '6.0.0',
        // Layering fields (docs/layering.md): a deployment that is its own base layers nothing.
        base: null, layered: [], inactive: [], removed: [], replaced: [], requests: { packages: [], localPackages: [], removals: [], replacements: [] } },
    );
  });

  it('upgrades to v2 keeping the admin\'s /etc, reporting the conflict, and leaving /var alone', async () => {
    const etc = path.join(sysroot.deploymentPath(v1), 'etc');
    fs.writeFileSync(path.join(etc, 'app.conf'), 'admin edit\n');
    fs.rmSync(path.join(etc, 'remove-me.conf'));
    fs.writeFileSync(path.join(etc, 'admin-added.conf'), 'mine\n', { mode: 0o640 });
    fs.mkdirSync(path.join(etc, 'private'), { mode: 0o700 });
    fs.chmodSync(path.join(etc, 'private'), 0o700);
    fs.writeFileSync(path.join(etc, 'private/secret.conf'), 'secret\n', { mode: 0o600 });
    fs.writeFileSync(path.join(sysroot.root, 'arbor/deploy/os/var/lib/app/state'), 'written by the running system\n');
    const nothingNew = runArbor(['upgrade', '--check', '--json', '--sysroot', sysroot.root]);
    assert.equal(nothingNew.status, 77, 'upgrade --check exits 77 when there is nothing new');
    assert.equal(nothingNew.json<{ available: boolean }>().available, false);
    v2 = await sysroot.commit(scratch, V2);
    assert.deepEqual(sysroot.json('upgrade', '--check'), { refspec: 'os/x86_64', pull: 'local', current: { stateroot: 'os', commit: v1, serial: 0 }, currentBase: v1, latest: v2, available: true });

    const preview = sysroot.json<{ preview: { commits: Array<{ commit: string; version: string }>; files: Record<string, string[]> } }>('upgrade', '--preview');
    assert.deepEqual(preview.preview.commits.map((c) => [c.commit, c.version]), [[v2, '2']]);
    assert.deepEqual(preview.preview.files.added, ['/usr/etc/new-default.conf']);
    assert.ok(preview.preview.files.modified.includes('/usr/etc/app.conf'));
    assert.equal(sysroot.state().deployments.length, 1, 'a preview deploys nothing');

    const upgrade = sysroot.json<{ deployed: { commit: string; etc: Record<string, string[]>; seededVar: boolean } }>('upgrade');
    assert.equal(upgrade.deployed.commit, v2);
    assert.equal(upgrade.deployed.seededVar, false);
    assert.deepEqual(upgrade.deployed.etc.conflicts, ['app.conf']);
    assert.deepEqual(upgrade.deployed.etc.removed, ['remove-me.conf']);

    const newEtc = path.join(sysroot.deploymentPath(v2), 'etc');
    const read = (file: string) => fs.readFileSync(path.join(newEtc, file), 'utf8');
    assert.equal(read('app.conf'), 'admin edit\n', 'the admin\'s edit is kept');
    assert.ok(!fs.existsSync(path.join(newEtc, 'remove-me.conf')), 'the deletion is kept');
    assert.equal(read('admin-added.conf'), 'mine\n');
    assert.equal(fs.statSync(path.join(newEtc, 'admin-added.conf')).mode & 0o777, 0o640);
    assert.equal(fs.statSync(path.join(newEtc, 'private')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(newEtc, 'private/secret.conf')).mode & 0o777, 0o600);
    assert.equal(read('other.conf'), 'other default v2\n', 'an unedited file takes the new default');
    assert.equal(read('new-default.conf'), 'new in v2\n', 'a new default appears');
    assert.equal(fs.readFileSync(path.join(sysroot.root, 'arbor/deploy/os/var/lib/app/state'), 'utf8'), 'written by the running system\n');

    const status = sysroot.status();
    assert.deepEqual(order(status.deployments), ['2.0', '1.0']);
    assert.deepEqual(status.deployments[0]!.kargs, ['root=/dev/vda2', 'quiet'], 'kargs are inherited');
    const entries = sysroot.bootEntries();
    assert.deepEqual([...entries.keys()], ['arbor-1.conf', 'arbor-2.conf']);
    assert.equal(entries.get('arbor-2.conf')!.get('title'), 'Arbor Test OS 2 (arbor:os:0)');
    assert.equal(entries.get('arbor-1.conf')!.get('title'), 'Arbor Test OS 1 (arbor:os:1)');
    sysroot.assertEntriesBootCompleteDeployments();

    const diff = sysroot.json<Record<string, string[]>>('etc', 'diff');
    assert.deepEqual(diff.modified, ['app.conf']);
    assert.deepEqual(diff.removed, ['remove-me.conf']);
    assert.deepEqual(diff.added, ['admin-added.conf', 'private', 'private/secret.conf']);
    assert.deepEqual(diff.conflicts, ['app.conf']);
    assert.match(sysroot.run('etc', 'diff').stdout, /^M {4}\/etc\/app\.conf {4}\(conflict: the default changed too\)$/m);
  });

  it('rolls back to v1, swapping the boot entries, and rolls forward again', () => {
    sysroot.run('rollback');
    assert.deepEqual(order(sysroot.state().deployments), ['1.0', '2.0']);
    let entries = sysroot.bootEntries();
    assert.equal(entries.get('arbor-2.conf')!.get('title'), 'Arbor Test OS 1 (arbor:os:0)');
    assert.equal(entries.get('arbor-1.conf')!.get('title'), 'Arbor Test OS 2 (arbor:os:1)');
    sysroot.assertEntriesBootCompleteDeployments();

    sysroot.run('rollback');
    const status = sysroot.status();
    assert.deepEqual(order(status.deployments), ['2.0', '1.0']);
    assert.equal(status.deployments[0]!.default, true);
    entries = sysroot.bootEntries();
    assert.equal(entries.get('arbor-2.conf')!.get('title'), 'Arbor Test OS 2 (arbor:os:0)');
    sysroot.assertEntriesBootCompleteDeployments();
    assert.match(sysroot.run('status').stdout, /^  os\/x86_64 \(index 0, default\)\n +Stateroot: os\n +Version: 2\n/m);
  });

  it('edits kargs in the origin and the boot entry, and the next deploy inherits them', () => {
    const result = sysroot.json<{ kargs: string[] }>('kargs', '--append', 'console=ttyS0,115200', '--delete', 'quiet');
    assert.deepEqual(result.kargs, ['root=/dev/vda2', 'console=ttyS0,115200']);
    assert.equal(sysroot.run('kargs').stdout, 'root=/dev/vda2 console=ttyS0,115200\n');
    assert.deepEqual(OriginFile.read(`${sysroot.deploymentPath(v2)}.origin`).kargs, ['root=/dev/vda2', 'console=ttyS0,115200']);
    assert.match(sysroot.bootEntries().get('arbor-2.conf')!.options, /^root=\/dev\/vda2 console=ttyS0,115200 arbor=\/arbor\/boot\.\d\/os\/[0-9a-f]{64}\/0$/);
    assert.match(sysroot.bootEntries().get('arbor-1.conf')!.options, /^root=\/dev\/vda2 quiet arbor=/, 'the rollback keeps its own');
  });

  it('retention and cleanup keep exactly the default and the rollback, plus pinned deployments', async () => {
    const v3 = await sysroot.commit(scratch, V3);
    const upgrade = sysroot.json<{ deployed: { retired: Array<{ commit: string }> } }>('upgrade');
    assert.deepEqual(upgrade.deployed.retired.map((d) => d.commit), [v1], 'the deploy removes what is beyond the rollback');
    assert.deepEqual(order(sysroot.state().deployments), ['3.0', '2.0']);
    assert.deepEqual(sysroot.state().deployments[0]!.kargs, ['root=/dev/vda2', 'console=ttyS0,115200']);
    assert.ok(!fs.existsSync(sysroot.deploymentPath(v1)) && !fs.existsSync(`${sysroot.deploymentPath(v1)}.origin`));
    assert.deepEqual(fs.readdirSync(path.join(sysroot.root, 'boot/arbor')).sort(), [`os-${bootcsum('6.0.0')}`, `os-${bootcsum('6.1.0')}`].sort());
    assert.deepEqual([...sysroot.bootEntries().keys()], ['arbor-1.conf', 'arbor-2.conf']);
    sysroot.assertEntriesBootCompleteDeployments();

    const repo = Repo.open(sysroot.repoPath);
    assert.ok(repo.hasObject(v1, 'commit'), 'a deploy does not prune the repo');
    const cleanup = sysroot.json<{ removed: Array<{ commit: string }> }>('cleanup');
    assert.deepEqual(cleanup.removed, []);
    assert.ok(!repo.hasObject(v1, 'commit'), 'the repo is pruned of the removed deployment\'s commit');
    assert.ok(repo.hasObject(v2, 'commit') && repo.hasObject(v3, 'commit'));

    assert.equal(sysroot.json<{ pinned: boolean }>('pin', '1').pinned, true);
    sysroot.run('deploy', v3.slice(0, 12));
    assert.deepEqual(order(sysroot.state().deployments), ['3.1', '3.0', '2.0'], 'a re-deploy of a commit gets the next serial; the pinned one stays');
    assert.equal(sysroot.state().deployments[0]!.origin, 'os/x86_64', 'the head of the followed ref, by ID, keeps following the ref');
    assert.deepEqual(sysroot.state().deployments.map((d) => d.pinned), [false, false, true]);
    sysroot.run('cleanup');
    assert.deepEqual(order(sysroot.state().deployments), ['3.1', '3.0', '2.0'], 'the pinned deployment stays');

    sysroot.run('pin', '2', '--unpin');
    sysroot.run('cleanup');
    assert.deepEqual(order(sysroot.state().deployments), ['3.1', '3.0']);
    assert.ok(!fs.existsSync(sysroot.deploymentPath(v2)));
    assert.equal(repo.readRef(`arbor/deploy/os/${v3}.0`), v3, 'each deployment holds a ref in the repo');
    assert.equal(repo.readRef(`arbor/deploy/os/${v2}.0`), undefined, 'a removed deployment releases its ref');
    sysroot.assertEntriesBootCompleteDeployments();
  });
});
