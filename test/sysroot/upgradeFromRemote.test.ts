import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { TestSysroot, buildOsTree, expectSuccess } from './sysrootFixture';

function arbor(...args: string[]) {
  return expectSuccess(runArbor(args), args);
}

describe('upgrade of a deployment that follows a remote', function () {
  this.timeout(120_000);
  let scratch: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-remote-'));
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('pulls the origin\'s REMOTE:REF, then deploys the new commit', () => {
    const remote = path.join(scratch, 'remote');
    const tree = (version: string) => {
      const dir = path.join(scratch, `tree-${version}`);
      buildOsTree(dir, { version, etc: { 'app.conf': `app ${version}\n` } });
      return dir;
    };
    arbor('init', '--repo', remote, '--mode', 'archive');
    const v1 = arbor('commit', '--repo', remote, '--branch', 'os/x86_64', '--tree', tree('1'), '--metadata', 'version=1').stdout.trim();
    arbor('summary', '--repo', remote);

    const sysroot = TestSysroot.create(path.join(scratch, 'sysroot'));
    arbor('remote', 'add', 'origin', `file://${remote}`, '--sysroot', sysroot.root, '--no-verify');
    arbor('pull', '--sysroot', sysroot.root, 'origin', 'os/x86_64');
    assert.equal(sysroot.json<{ commit: string }>('deploy', 'origin:os/x86_64').commit, v1);
    assert.equal(sysroot.status().deployments[0]!.origin, 'origin:os/x86_64');

    const v2 = arbor('commit', '--repo', remote, '--branch', 'os/x86_64', '--tree', tree('2'), '--metadata', 'version=2').stdout.trim();
    arbor('summary', '--repo', remote);
    const upgrade = sysroot.json<{ pull: string; latest: string; deployed: { commit: string } }>('upgrade');
    assert.deepEqual([upgrade.pull, upgrade.latest, upgrade.deployed.commit], ['pulled', v2, v2]);
    assert.deepEqual(sysroot.status().deployments.map((d) => [d.version, d.origin]), [['2', 'origin:os/x86_64'], ['1', 'origin:os/x86_64']]);
    sysroot.assertEntriesBootCompleteDeployments();
  });
});
