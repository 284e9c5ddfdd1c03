import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createArbor } from '@arbor/core';
import { readStatus, Sysroot, SysrootSession } from '@arbor/core/sysroot';
import { Repo } from '@arbor/core/store';
import { runKilledAfterLock, seededRandom } from '../support/killLoop';
import { ARBOR_BIN } from '../support/runArbor';
import { BRANCH, LayeringSysroot } from './layeringFixture';

const ROUNDS = 10;

describe('layering under SIGKILL', function () {
  this.timeout(180_000);
  let scratch: string;
  let sysroot: LayeringSysroot;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-layering-kill-'));
    sysroot = LayeringSysroot.make(scratch);
    await sysroot.commitBase({ version: '1', packages: { nano: '7.2' } });
    sysroot.ok('deploy', BRANCH);
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** install htop when the default lacks it, uninstall it otherwise: every round changes the layering. */
  const nextChange = (): string[] => {
    const status = readStatus(Sysroot.open(sysroot.root));
    const requested = status.deployments.find((deployment) => deployment.index === 0)!.requests.packages.includes('htop');
    return requested ? ['uninstall', 'htop'] : ['install', 'htop'];
  };

  /** Every deployment's origin asks for exactly what its commit was layered with (none for a plain base). */
  const assertOriginsMatchCommits = (): void => {
    const repo = Repo.open(sysroot.repoPath);
    for (const deployment of readStatus(Sysroot.open(sysroot.root)).deployments) {
      const metadata = repo.readCommit(deployment.commit).metadata;
      const recorded = metadata['arbor.layer.requests'] as { packages: string[] } | undefined;
      assert.deepEqual(recorded?.packages ?? [], deployment.requests.packages, `${deployment.commit}.${deployment.serial}`);
      assert.equal(fs.existsSync(path.join(deployment.path, 'usr/bin/htop')), deployment.requests.packages.includes('htop'));
    }
  };

  it('a kill at any point of install or uninstall leaves every boot entry on a complete deployment, and the next one succeeds', async () => {
    const lockFile = path.join(sysroot.root, 'arbor/lock');
    const change = (args: string[], killAfter?: number) =>
      runKilledAfterLock([ARBOR_BIN, ...args, '--sysroot', sysroot.root, '--config', sysroot.config], lockFile, killAfter);

    const timed = await change(nextChange());
    assert.ok(timed.work > 0, 'a whole install ran to measure its length');
    const next = seededRandom(20_261_206);
    const points: number[] = [];
    let killed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const point = Math.round(next() * timed.work * 1.1);
      points.push(point);
      const run = await change(nextChange(), point);
      if (run.killed) killed++;
      const context = `kill ${round} at ${point} ms of ${timed.work} (points so far: ${points.join(', ')})`;
      try {
        sysroot.assertEntriesBootCompleteDeployments();
        assertOriginsMatchCommits();
      } catch (error) {
        (error as Error).message = `${context}: ${(error as Error).message}`;
        throw error;
      }
      // Every command first finishes a boot swap the kill interrupted (which may complete the
      // change); the next change is chosen from what the sysroot is once that is done.
      const { arbor } = await createArbor({ configPath: sysroot.config });
      await SysrootSession.run({ sysroot: sysroot.root, arbor, lock: true, purpose: 'test' }, async () => undefined);
      const args = nextChange();
      const rerun = sysroot.arbor(...args);
      assert.equal(rerun.status, 0, `${context}: the next ${args.join(' ')} fails: ${rerun.stderr}`);
      sysroot.assertEntriesBootCompleteDeployments();
      if (round % 5 === 4) sysroot.ok('cleanup');
    }
    assert.ok(killed >= ROUNDS / 2, `most kills land inside the change (${killed} of ${ROUNDS} did)`);
    sysroot.ok('cleanup');
    assert.ok(!fs.existsSync(path.join(sysroot.root, 'arbor', 'layering')), 'cleanup sweeps a scratch checkout a kill left');
    const fsck = sysroot.repoOk('fsck', '--json').json<{ corrupt: string[]; missing: string[] }>();
    assert.deepEqual([fsck.corrupt, fsck.missing], [[], []]);
  });
});
