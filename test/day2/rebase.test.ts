import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startArborServe } from '../replication/replicationFixture';
import { TestSysroot } from '../sysroot/sysrootFixture';
import { RemoteRepo, attempt, originOf, useScratch } from './day2Fixture';

interface RebaseJson {
  from: string;
  refspec: string;
  pull: string;
  deployed: { commit: string; serial: number; kargs: string[]; staged: boolean; overrideCommit?: string };
}

describe('rebase REMOTE:REF: from stable on one remote to testing on another, and back', function () {
  this.timeout(90_000);
  const scratch = useScratch('rebase');
  let stable: RemoteRepo;
  let testing: RemoteRepo;
  let server: Awaited<ReturnType<typeof startArborServe>>;
  let sysroot: TestSysroot;
  const commits: Record<string, string> = {};
  /** A group the core does not know, as a plugin might keep in the origin. */
  const pluginGroup = '[x-day2-plugin]\nnote=kept across rebases\n';

  before(async () => {
    stable = RemoteRepo.init(path.join(scratch(), 'stable-repo'), scratch());
    testing = RemoteRepo.init(path.join(scratch(), 'testing-repo'), scratch());
    commits.s1 = await stable.commit('os/x86_64/stable', 's1');
    commits.t1 = await testing.commit('os/x86_64/testing', 't1');
    server = await startArborServe(testing.path);
    sysroot = TestSysroot.create(path.join(scratch(), 'sysroot'));
    sysroot.run('remote', 'add', 'stable', `file://${stable.path}`, '--no-verify');
    sysroot.run('remote', 'add', 'testing', server.url, '--no-verify');
    sysroot.run('pull', 'stable', 'os/x86_64/stable');
    sysroot.run('deploy', 'stable:os/x86_64/stable', '--karg', 'console=ttyS0');
    fs.appendFileSync(`${sysroot.deploymentPath(commits.s1!)}.origin`, `\n${pluginGroup}`);
  });

  after(async () => server?.stop());

  it('pulls testing from the other remote over HTTP and follows it, keeping the kargs and the origin\'s other groups', () => {
    const result = sysroot.json<RebaseJson>('rebase', 'testing:os/x86_64/testing');
    assert.deepEqual([result.from, result.refspec, result.pull, result.deployed.commit], ['stable:os/x86_64/stable', 'testing:os/x86_64/testing', 'pulled', commits.t1]);
    assert.deepEqual(result.deployed.kargs, ['console=ttyS0']);
    const origin = originOf(sysroot, commits.t1!);
    assert.equal(origin.refspec, 'testing:os/x86_64/testing');
    assert.match(origin.toString(), /\[x-day2-plugin\]\nnote=kept across rebases/);
    const [current, rollback] = sysroot.state().deployments;
    assert.deepEqual([current!.version, current!.origin, rollback!.version, rollback!.origin], ['t1', 'testing:os/x86_64/testing', 's1', 'stable:os/x86_64/stable']);
    sysroot.assertEntriesBootCompleteDeployments();
  });

  it('upgrade then follows testing on its remote', async () => {
    commits.t2 = await testing.commit('os/x86_64/testing', 't2');
    const upgrade = sysroot.json<{ refspec: string; pull: string; deployed: { commit: string } }>('upgrade');
    assert.deepEqual([upgrade.refspec, upgrade.pull, upgrade.deployed.commit], ['testing:os/x86_64/testing', 'pulled', commits.t2]);
  });

  it('rebases back to stable, staged, and finalize makes it the default with the same kargs and groups', async () => {
    commits.s2 = await stable.commit('os/x86_64/stable', 's2');
    const run = sysroot.run('rebase', 'stable:os/x86_64/stable', '--stage');
    assert.match(run.stdout, /Rebased from testing:os\/x86_64\/testing to stable:os\/x86_64\/stable \(pulled\)/);
    assert.match(run.stdout, /Staged /);
    // Until finalize, the staged rebase is what upgrade and rebase start from, as in rpm-ostree.
    const upgrade = sysroot.json<{ refspec: string; available: boolean; current: { commit: string } }>('upgrade');
    assert.deepEqual([upgrade.refspec, upgrade.available, upgrade.current.commit], ['stable:os/x86_64/stable', false, commits.s2]);
    assert.match(attempt(sysroot, 'rebase', 'stable:os/x86_64/stable').stderr, /already follows stable:os\/x86_64\/stable/);
    sysroot.run('finalize');
    const [current] = sysroot.state().deployments;
    assert.deepEqual([current!.commit, current!.origin, current!.kargs], [commits.s2, 'stable:os/x86_64/stable', ['console=ttyS0']]);
    assert.match(originOf(sysroot, commits.s2!).toString(), /\[x-day2-plugin\]\nnote=kept across rebases/);
    sysroot.assertEntriesBootCompleteDeployments();
  });

  it('refuses the ref already followed, a commit ID and a ref the remote does not have, changing nothing', () => {
    const before = sysroot.state().deployments.map((d) => `${d.commit}.${d.serial}`);
    const same = attempt(sysroot, 'rebase', 'stable:os/x86_64/stable');
    assert.equal(same.status, 1);
    assert.match(same.stderr, /already follows stable:os\/x86_64\/stable/);
    const commit = attempt(sysroot, 'rebase', commits.t1!);
    assert.match(commit.stderr, new RegExp(`Cannot rebase to "${commits.t1}": there is no such ref`));
    const missing = attempt(sysroot, 'rebase', 'testing:os/x86_64/nope');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /os\/x86_64\/nope/);
    assert.deepEqual(sysroot.state().deployments.map((d) => `${d.commit}.${d.serial}`), before);
  });
});
