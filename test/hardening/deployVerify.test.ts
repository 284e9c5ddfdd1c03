import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { TestSysroot } from '../sysroot/sysrootFixture';

describe('issue 19: deploy --verify', () => {
  const tmp = useTempDir('arbor-harden-verify-');

  it('deploys a sound commit, and refuses one with a corrupt object, naming it, before writing a deployment', async function () {
    this.timeout(120_000);
    const sysroot = TestSysroot.create(path.join(tmp(), 'sysroot'));
    const v1 = await sysroot.commit(tmp(), { version: '1', etc: { 'app.conf': 'v1\n' } });
    sysroot.run('deploy', v1, '--verify');

    const v2 = await sysroot.commit(tmp(), { version: '2', etc: { 'app.conf': 'v2 only\n' } });
    const repo = Repo.open(sysroot.repoPath);
    const etc = repo.readDirTree(repo.readDirTree(repo.readDirTree(repo.readCommit(v2).rootTree).dirs.find((dir) => dir.name === 'usr')!.tree).dirs.find((dir) => dir.name === 'etc')!.tree);
    const object = etc.files.find((file) => file.name === 'app.conf')!.file;
    fs.writeFileSync(repo.objectPath(object, repo.fileKind), 'tampered\n');

    const run = runArbor(['deploy', v2, '--verify', '--sysroot', sysroot.root]);
    assert.equal(run.status, 1, run.stdout);
    assert.match(run.stderr, /ARBOR_STORE_OBJECT_CORRUPT/);
    assert.match(run.stderr, new RegExp(`corrupt file ${object} at /usr/etc/app\\.conf`));
    assert.ok(!fs.existsSync(sysroot.deploymentPath(v2)), 'no deployment was written');
    assert.equal(sysroot.state().deployments.length, 1);
  });
});
