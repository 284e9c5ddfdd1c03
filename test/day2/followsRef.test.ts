import assert from 'node:assert/strict';
import path from 'node:path';
import { TestSysroot } from '../sysroot/sysrootFixture';
import { attempt, originOf, osVersion, useScratch } from './day2Fixture';

describe('deploy <commit> keeps following the ref; upgrade moves on from the pinned commit', function () {
  this.timeout(60_000);
  const scratch = useScratch('follow');
  let sysroot: TestSysroot;
  let v1: string;
  let v2: string;

  before(async () => {
    sysroot = TestSysroot.create(path.join(scratch(), 'sysroot'));
    v1 = await sysroot.commit(scratch(), osVersion('1'));
    v2 = await sysroot.commit(scratch(), osVersion('2'));
    sysroot.run('deploy', 'os/x86_64');
  });

  it('records the ref and the override commit when a commit ID prefix is deployed', () => {
    const result = sysroot.json<{ commit: string; refspec: string; overrideCommit?: string }>('deploy', v1.slice(0, 12));
    assert.deepEqual([result.commit, result.refspec, result.overrideCommit], [v1, 'os/x86_64', v1]);
    const origin = originOf(sysroot, v1);
    assert.equal(origin.refspec, 'os/x86_64');
    assert.equal(origin.overrideCommit, v1);
    assert.equal(sysroot.status().deployments[0]!.origin, 'os/x86_64');
  });

  it('upgrade --check exits 0 when the ref moved past the pinned commit, and still prints its JSON', () => {
    const run = attempt(sysroot, 'upgrade', '--check', '--json');
    assert.equal(run.status, 0, run.stderr);
    const result = run.json<{ available: boolean; latest: string; pinnedCommit: string }>();
    assert.deepEqual([result.available, result.latest, result.pinnedCommit], [true, v2, v1]);
  });

  it('upgrade moves on from the pinned commit to the ref\'s head, says so, and clears the override', () => {
    const run = sysroot.run('upgrade');
    assert.match(run.stdout, new RegExp(`Moving on from the pinned commit ${v1} to os/x86_64's ${v2}`));
    const [current] = sysroot.status().deployments;
    assert.deepEqual([current!.commit, current!.serial, current!.origin], [v2, 1, 'os/x86_64']);
    assert.equal(originOf(sysroot, v2, 1).overrideCommit, undefined);
  });

  it('upgrade --check exits 77 when there is nothing new, with or without --json', () => {
    const plain = attempt(sysroot, 'upgrade', '--check');
    assert.equal(plain.status, 77, plain.stderr);
    assert.match(plain.stdout, /No upgrade available/);
    const json = attempt(sysroot, 'upgrade', '--check', '--json');
    assert.equal(json.status, 77, json.stderr);
    assert.equal(json.json<{ available: boolean }>().available, false);
    assert.equal(json.stderr, '');
  });

  it('REF^ follows REF, with its parent as the override', () => {
    const result = sysroot.json<{ commit: string; refspec: string; overrideCommit?: string }>('deploy', 'os/x86_64^');
    assert.deepEqual([result.commit, result.refspec, result.overrideCommit], [v1, 'os/x86_64', v1]);
  });

  it('deploying the ref itself records no override', () => {
    const result = sysroot.json<{ commit: string; overrideCommit?: string }>('deploy', 'os/x86_64');
    assert.equal(result.commit, v2);
    assert.equal(result.overrideCommit, undefined);
    assert.equal(originOf(sysroot, v2, 2).overrideCommit, undefined);
  });

  it('a commit of another branch is not taken for an override of the ref followed: it is pinned as itself', async () => {
    const other = await sysroot.commit(scratch(), osVersion('9'), 'os/other');
    const result = sysroot.json<{ commit: string; refspec: string; overrideCommit?: string }>('deploy', other);
    assert.deepEqual([result.commit, result.refspec, result.overrideCommit], [other, other, undefined]);
  });

  it('a commit deployed where nothing is followed yet is recorded as the refspec itself', async () => {
    const fresh = TestSysroot.create(path.join(scratch(), 'fresh'));
    const only = await fresh.commit(scratch(), osVersion('7'));
    const result = fresh.json<{ refspec: string; overrideCommit?: string }>('deploy', only);
    assert.deepEqual([result.refspec, result.overrideCommit], [only, undefined]);
    const check = attempt(fresh, 'upgrade', '--check');
    assert.equal(check.status, 77, check.stderr);
  });
});
