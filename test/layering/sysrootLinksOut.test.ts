import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Canary, plantSymlink } from '../hardening/symlinkPlanter';
import { BRANCH, LayeringSysroot } from './layeringFixture';

/**
 * Issue 19: no sysroot operation follows a symlink out of the sysroot. The merge, the /var seed
 * and the kernel lookup have their own tests (test/hardening/etcMergeSymlinks); these plant links
 * where cleanup, rollback, the boot files and layering write, each pointing at a canary outside.
 */
describe('cleanup, rollback, kernels and layering never follow a link out of the sysroot', function () {
  this.timeout(180_000);
  let scratch: string;
  let sysroot: LayeringSysroot;
  let canary: Canary;

  beforeEach(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-links-out-'));
    // Outside the sysroot, mirroring what each operation writes or deletes.
    canary = new Canary(path.join(scratch, 'canary'), ['entries', 'usr/share', 'etc', 'os-kernel']);
    sysroot = LayeringSysroot.make(scratch);
    await sysroot.commitBase({ version: '1', packages: { nano: '7.2' } });
    sysroot.ok('deploy', BRANCH);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const deployments = () => sysroot.statusJson().deployments;

  it('cleanup removes a deployment holding links out (from its commit and planted in its etc) without touching their targets', async () => {
    const first = deployments()[0]!.path;
    // Planted as an admin (or an attacker) could: absolute and climbing links in etc and usr.
    fs.symlinkSync(canary.dir, path.join(first, 'etc', 'out-absolute'));
    fs.symlinkSync(`${'../'.repeat(30)}${canary.dir.slice(1)}`, path.join(first, 'etc', 'out-relative'));
    fs.symlinkSync(path.join(canary.dir, 'usr/share'), path.join(first, 'usr', 'share', 'out'));
    for (const version of ['2', '3']) {
      await sysroot.commitBase({ version, packages: { nano: '7.2' } });
      sysroot.ok('upgrade');
    }
    sysroot.ok('cleanup');
    assert.ok(!fs.existsSync(first), 'the first deployment was retired');
    canary.assertUntouched('retention and cleanup');
  });

  it('rollback writes no boot entry through a boot version directory that is a link out', async () => {
    await sysroot.commitBase({ version: '2', packages: { nano: '7.2' } });
    sysroot.ok('upgrade');
    const boot = path.join(sysroot.root, 'boot');
    const live = fs.readlinkSync(path.join(boot, 'loader'));
    const spare = live === 'loader.0' ? 'loader.1' : 'loader.0';
    plantSymlink(boot, spare, canary.dir);
    const before = deployments().map((deployment) => deployment.commit);
    const run = sysroot.arbor('rollback');
    canary.assertUntouched('rollback');
    if (run.status === 0) {
      assert.ok(!fs.lstatSync(path.join(boot, spare)).isSymbolicLink() || fs.readlinkSync(path.join(boot, 'loader')) !== spare, 'the live entries are not the link');
      assert.deepEqual(deployments().map((deployment) => deployment.commit), [...before].reverse());
      sysroot.assertEntriesBootCompleteDeployments();
    } else {
      assert.match(run.stderr, new RegExp(`${spare}`), run.stderr);
      assert.deepEqual(deployments().map((deployment) => deployment.commit), before);
    }
  });

  it('a deploy puts no kernel through a boot/arbor that is a link out', async () => {
    plantSymlink(path.join(sysroot.root, 'boot'), 'arbor', path.join(canary.dir, 'os-kernel'));
    await sysroot.commitBase({ version: '2', packages: { nano: '7.2' } });
    const run = sysroot.arbor('upgrade');
    canary.assertUntouched('deploy');
    if (run.status !== 0) assert.match(run.stderr, /boot\/arbor/, run.stderr);
  });

  it('install makes its scratch checkout in the sysroot, never through an arbor/layering that is a link out', () => {
    plantSymlink(path.join(sysroot.root, 'arbor'), 'layering', canary.dir);
    const run = sysroot.arbor('install', 'htop');
    canary.assertUntouched('install');
    if (run.status === 0) assert.ok(fs.existsSync(path.join(deployments()[0]!.path, 'usr/bin/htop')));
    else assert.match(run.stderr, /layering/, run.stderr);
  });
});
