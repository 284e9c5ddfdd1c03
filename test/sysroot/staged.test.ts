import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { TestSysroot, snapshotTree, type OsVersion } from './sysrootFixture';

const V1: OsVersion = { version: '1', etc: { 'app.conf': 'v1\n', 'blocker': 'a file in v1\n' } };
const V2: OsVersion = { version: '2', etc: { 'app.conf': 'v2\n', 'blocker': 'a file in v2\n' } };
/** v3 turns `blocker` into a directory: an admin who edited it cannot be merged. */
const V3: OsVersion = { version: '3', etc: { 'app.conf': 'v3\n', 'blocker/inside.conf': 'now a directory\n' } };

describe('staged deploys and failures that change nothing', function () {
  this.timeout(120_000);
  let scratch: string;
  let sysroot: TestSysroot;
  let v1: string;
  let v2: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-staged-'));
    sysroot = TestSysroot.create(path.join(scratch, 'sysroot'));
    v1 = await sysroot.commit(scratch, V1);
    sysroot.run('deploy', 'os/x86_64');
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('stages a deployment without touching the boot entries, and finalize merges /etc as it is then', async () => {
    v2 = await sysroot.commit(scratch, V2);
    const entriesBefore = snapshotTree(path.join(sysroot.root, 'boot/loader/entries'));
    const staged = sysroot.json<{ staged: boolean; index: number | null; etc?: unknown }>('deploy', 'os/x86_64', '--stage');
    assert.deepEqual([staged.staged, staged.index, staged.etc], [true, null, undefined]);
    assert.deepEqual(snapshotTree(path.join(sysroot.root, 'boot/loader/entries')), entriesBefore, 'boot entries unchanged');
    const status = sysroot.status();
    assert.deepEqual(status.deployments.map((d) => [d.version, d.index, d.default, d.staged]), [['1', 0, true, false], ['2', null, false, true]]);
    assert.match(sysroot.run('status').stdout, /State: staged deployment waiting for finalize/);

    // An edit made after staging still reaches the new deployment: the merge runs at finalize.
    fs.writeFileSync(path.join(sysroot.deploymentPath(v1), 'etc/app.conf'), 'edited after staging\n');
    const finalized = sysroot.json<{ finalized: { commit: string }; etc: { conflicts: string[] } }>('finalize');
    assert.equal(finalized.finalized.commit, v2);
    assert.deepEqual(finalized.etc.conflicts, ['app.conf']);
    assert.equal(fs.readFileSync(path.join(sysroot.deploymentPath(v2), 'etc/app.conf'), 'utf8'), 'edited after staging\n');
    assert.deepEqual(sysroot.state().deployments.map((d) => [d.version, d.index, d.staged]), [['2', 0, false], ['1', 1, false]]);
    assert.equal(sysroot.bootEntries().get('arbor-2.conf')!.get('title'), 'Arbor Test OS 2 (arbor:os:0)');
    assert.deepEqual(sysroot.json('finalize'), { finalized: null }, 'with nothing staged, finalize does nothing');
  });

  it('reports a failed finalize in status and keeps the old default booting', async () => {
    await sysroot.commit(scratch, V3);
    fs.writeFileSync(path.join(sysroot.deploymentPath(v2), 'etc/blocker'), 'the admin edited this file\n');
    sysroot.run('deploy', 'os/x86_64', '--stage');
    const entriesBefore = snapshotTree(path.join(sysroot.root, 'boot/loader/entries'));
    const failed = runArbor(['finalize', '--sysroot', sysroot.root]);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /^Error: Finalizing staged deployment os:[0-9a-f]{64}\.0 failed, so the previous default stays: .*\/etc\/blocker newly defaults to a directory.* \[ARBOR_SYSROOT_FINALIZE_FAILED\]/m);

    const status = sysroot.status();
    assert.deepEqual(status.deployments.map((d) => [d.version, d.index, d.staged]), [['2', 0, false], ['1', 1, false]]);
    assert.equal(status.finalizeFailure?.code, 'ARBOR_ETC_NEWLY_DIRECTORY');
    assert.match(sysroot.run('status').stdout, /^Warning: finalizing os:[0-9a-f]{12}\.0 failed at .*blocker newly defaults to a directory/m);
    assert.deepEqual(snapshotTree(path.join(sysroot.root, 'boot/loader/entries')), entriesBefore);
    sysroot.assertEntriesBootCompleteDeployments();

    // The admin moves the file aside; the next deploy succeeds and clears the report.
    fs.rmSync(path.join(sysroot.deploymentPath(v2), 'etc/blocker'));
    sysroot.run('deploy', 'os/x86_64');
    const after = sysroot.state();
    assert.equal(after.finalizeFailure, undefined);
    // Retention: v1, beyond the rollback, is removed once v3 is the default.
    assert.deepEqual(after.deployments.map((d) => d.version), ['3', '2']);
  });

  it('fails a deploy whose merge is refused, naming the file and leaving no trace', async () => {
    const v3 = sysroot.state().deployments[0]!.commit;
    fs.writeFileSync(path.join(sysroot.deploymentPath(v3), 'etc/app.conf'), 'edited\n');
    fs.rmSync(path.join(sysroot.deploymentPath(v3), 'etc/blocker'), { recursive: true, force: true });
    fs.writeFileSync(path.join(sysroot.deploymentPath(v3), 'etc/blocker'), 'a file again\n');
    const before = { status: sysroot.state(), deploy: fs.readdirSync(path.join(sysroot.root, 'arbor/deploy/os/deploy')).sort() };
    const failed = runArbor(['deploy', 'os/x86_64', '--sysroot', sysroot.root, '--json']);
    assert.equal(failed.status, 1);
    assert.equal(failed.json<{ error: { code: string } }>().error.code, 'ARBOR_ETC_NEWLY_DIRECTORY');
    assert.match(failed.stderr, /^Error: During \/etc merge \(arbor:etc-merge\): Modified config file \/etc\/blocker newly defaults to a directory; cannot merge \[ARBOR_ETC_NEWLY_DIRECTORY\] \(hint: /m);
    assert.deepEqual(sysroot.state(), before.status);
    assert.deepEqual(fs.readdirSync(path.join(sysroot.root, 'arbor/deploy/os/deploy')).sort(), before.deploy);
  });

  it('skips the merge with --no-merge, taking the new defaults', () => {
    const result = sysroot.json<{ commit: string; serial: number; etc?: unknown }>('deploy', 'os/x86_64', '--no-merge');
    assert.equal(result.etc, undefined);
    const etc = path.join(sysroot.deploymentPath(result.commit, result.serial), 'etc');
    assert.equal(fs.readFileSync(path.join(etc, 'app.conf'), 'utf8'), 'v3\n');
    assert.ok(fs.statSync(path.join(etc, 'blocker')).isDirectory());
  });
});

describe('sysroot init', function () {
  this.timeout(60_000);
  let scratch: string;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-init-'));
  });

  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('lays out the sysroot and records the bootloader, which later commands follow', async () => {
    const sysroot = TestSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'none' });
    for (const dir of ['arbor/repo/objects', 'arbor/deploy/os/var', 'arbor/deploy/os/deploy', 'boot']) {
      assert.ok(fs.statSync(path.join(sysroot.root, dir)).isDirectory(), dir);
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(sysroot.root, 'arbor/config.json'), 'utf8')), { bootloader: 'none' });
    await sysroot.commit(scratch, V1);
    sysroot.run('deploy', 'os/x86_64');
    assert.equal(sysroot.bootEntries().size, 0, 'bootloader none: no BLS entries');
    assert.equal(sysroot.state().deployments.length, 1);

    const again = runArbor(['sysroot', 'init', sysroot.root, '--stateroot', 'other', '--bootloader', 'bls']);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already records bootloader "none", not "bls"/);
    assert.equal(runArbor(['sysroot', 'init', sysroot.root, '--stateroot', 'other']).status, 0);
    const ambiguous = runArbor(['deploy', 'os/x86_64', '--sysroot', sysroot.root]);
    assert.match(ambiguous.stderr, /has several stateroots \(os, other\) \[ARBOR_SYSROOT_STATEROOT_AMBIGUOUS\]/);
  });

  it('says what to do on a directory that is not a sysroot', () => {
    const result = runArbor(['status', '--sysroot', scratch]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /is not an Arbor sysroot .*\[ARBOR_SYSROOT_NOT_FOUND\] \(hint: Create one with: arbor sysroot init/);
  });
});
