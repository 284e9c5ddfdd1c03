import { runArbor } from '../support/runArbor';
import assert from 'node:assert/strict';
import path from 'node:path';
import { TestSysroot } from '../sysroot/sysrootFixture';
import { RemoteRepo, attempt, originOf, useScratch } from './day2Fixture';

describe('deploy --version V: the commit of that version from the ref\'s history', function () {
  this.timeout(60_000);
  const scratch = useScratch('version');
  let remote: RemoteRepo;
  const commits: Record<string, string> = {};

  before(async () => {
    remote = RemoteRepo.init(path.join(scratch(), 'remote'), scratch());
    for (const version of ['40.1', '40.2', '41.0']) commits[version] = await remote.commit('os/x86_64/stable', version);
  });

  it('finds the version in the pulled history and pins it while following the remote ref', () => {
    const sysroot = TestSysroot.create(path.join(scratch(), 'full'));
    sysroot.run('remote', 'add', 'origin', `file://${remote.path}`, '--no-verify');
    sysroot.run('pull', 'origin', 'os/x86_64/stable', '--depth', '-1');
    sysroot.run('deploy', 'origin:os/x86_64/stable');

    const run = sysroot.run('deploy', '--version', '40.1');
    assert.match(run.stdout, new RegExp(`Pinned commit ${commits['40.1']}; the origin still follows origin:os/x86_64/stable`));
    const origin = originOf(sysroot, commits['40.1']!);
    assert.deepEqual([origin.refspec, origin.overrideCommit], ['origin:os/x86_64/stable', commits['40.1']]);
    assert.equal(sysroot.state().deployments[0]!.version, '40.1');

    // With the ref named, and the head's own version: no override.
    const head = sysroot.json<{ commit: string; overrideCommit?: string }>('deploy', 'origin:os/x86_64/stable', '--version', '41.0');
    assert.deepEqual([head.commit, head.overrideCommit], [commits['41.0'], undefined]);
  });

  it('names the version and the ref when no commit of the history has it', () => {
    const sysroot = new TestSysroot(path.join(scratch(), 'full'));
    const run = attempt(sysroot, 'deploy', '--version', '39.9', '--json');
    assert.equal(run.status, 1);
    assert.equal(run.json<{ error: { code: string } }>().error.code, 'ARBOR_SYSROOT_VERSION_NOT_FOUND');
    assert.match(run.stderr, /No commit of version "39\.9" in the history of origin:os\/x86_64\/stable \(3 commits searched\)/);
    // The hint is a command that runs as given, and lists the versions there are.
    const hint = run.json<{ error: { hint: string } }>().error.hint;
    const command = /^See the versions with: arbor (.*)$/.exec(hint)![1]!.split(' ');
    const log = runArbor([...command, '--json']);
    assert.equal(log.status, 0, log.stderr);
    assert.deepEqual(log.json<{ metadata: { version: string } }[]>().map((entry) => entry.metadata.version), ['41.0', '40.2', '40.1']);
    // The same history through the sysroot, without spelling out its repo.
    assert.deepEqual(runArbor(['log', '--sysroot', sysroot.root, 'origin:os/x86_64/stable', '--json']).json<unknown[]>().length, 3);
  });

  it('says the history is cut, with a hint to pull more, when the remote ref was pulled shallow', () => {
    const sysroot = TestSysroot.create(path.join(scratch(), 'shallow'));
    sysroot.run('remote', 'add', 'origin', `file://${remote.path}`, '--no-verify');
    sysroot.run('pull', 'origin', 'os/x86_64/stable');
    const run = attempt(sysroot, 'deploy', 'origin:os/x86_64/stable', '--version', '40.1');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /No commit of version "40\.1" in the 1 commits of origin:os\/x86_64\/stable's history held here: the history is cut/);
    assert.match(run.stderr, /arbor pull origin os\/x86_64\/stable --depth N/);
  });

  it('is a usage error with neither a refspec nor --version', () => {
    const run = attempt(new TestSysroot(path.join(scratch(), 'shallow')), 'deploy');
    assert.equal(run.status, 2);
    assert.match(run.stderr, /deploy needs a REFSPEC or --version V/);
  });
});
