import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArbor, type Arbor } from '@arbor/core';
import { readBootState } from '@arbor/core/sysroot';
import { deploy } from '@arbor/core/sysroot';
import { editKargs } from '@arbor/core/sysroot';
import { initSysroot } from '@arbor/core/sysroot';
import { rollback } from '@arbor/core/sysroot';
import { Sysroot } from '@arbor/core/sysroot';
import { TestSysroot } from './sysrootFixture';

/**
 * The boot version swap (docs/sysroot.md), through the library: B flips when the entries
 * change; when they would come out identical only the links change, and S flips instead.
 */
describe('the boot version swap', function () {
  this.timeout(60_000);
  let scratch: string;
  let root: string;
  let arbor: Arbor;
  let commit: string;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-swap-'));
    root = path.join(scratch, 'sysroot');
    await initSysroot({ sysroot: root, stateroot: 'os' });
    commit = await new TestSysroot(root).commit(scratch, { version: '1', etc: { 'a.conf': 'a\n' } });
    ({ arbor } = await createArbor());
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  const state = () => readBootState(Sysroot.open(root));
  const link = (version: number, n: number) => {
    const csum = state().deployments[0]!.bootcsum;
    return path.basename(fs.realpathSync(path.join(root, 'arbor', `boot.${version}`, 'os', csum, String(n))));
  };
  const loaderTarget = () => fs.readlinkSync(path.join(root, 'boot/loader'));

  it('flips B when the entries change, writing the new version beside the live one', async () => {
    await deploy({ sysroot: root, arbor, refspec: 'os/x86_64' });
    assert.deepEqual([state().bootVersion, state().subBootVersion, loaderTarget()], [0, 0, 'loader.0']);
    await deploy({ sysroot: root, arbor, refspec: 'os/x86_64' });
    assert.deepEqual([state().bootVersion, state().subBootVersion, loaderTarget()], [1, 0, 'loader.1']);
    assert.ok(fs.existsSync(path.join(root, 'boot/loader.0/entries/arbor-1.conf')), 'the old version stays beside it until cleanup');
    assert.deepEqual([link(1, 0), link(1, 1)], [`${commit}.1`, `${commit}.0`]);
  });

  it('flips only S when the entries would be identical: a rollback between two deployments of one commit', async () => {
    const entries = fs.readFileSync(path.join(root, 'boot/loader/entries/arbor-2.conf'), 'utf8');
    const result = await rollback({ sysroot: root, arbor });
    assert.deepEqual([result.default.serial, result.rollback.serial], [0, 1]);
    assert.deepEqual([state().bootVersion, state().subBootVersion, loaderTarget()], [1, 1, 'loader.1']);
    assert.equal(fs.readlinkSync(path.join(root, 'arbor/boot.1')), 'boot.1.1');
    assert.deepEqual([link(1, 0), link(1, 1)], [`${commit}.0`, `${commit}.1`], 'the links now boot the other order');
    assert.equal(fs.readFileSync(path.join(root, 'boot/loader/entries/arbor-2.conf'), 'utf8'), entries);
  });

  it('flips B again for a kargs edit, which changes the entries', async () => {
    await editKargs({ sysroot: root, arbor, append: ['console=ttyS0'] });
    assert.deepEqual([state().bootVersion, state().subBootVersion, loaderTarget()], [0, 0, 'loader.0']);
    assert.match(fs.readFileSync(path.join(root, 'boot/loader/entries/arbor-2.conf'), 'utf8'), /^options console=ttyS0 arbor=\/arbor\/boot\.0\/os\//m);
    assert.deepEqual(state().deployments.map((d) => d.serial), [0, 1]);
  });
});
