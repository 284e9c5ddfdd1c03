import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Sysroot } from '@arbor/core/sysroot';
import { readStatus } from '@arbor/core/sysroot';
import { exited, runKilledAfterLock, seededRandom } from '../support/killLoop';
import { ARBOR_BIN, REPO_ROOT, runArbor } from '../support/runArbor';
import { TestSysroot, type OsVersion } from './sysrootFixture';

const V1: OsVersion = { version: '1', etc: { 'a.conf': 'a v1\n', 'dir/b.conf': 'b v1\n' }, var: { 'lib/x': 'x\n' } };
const V2: OsVersion = { version: '2', etc: { 'a.conf': 'a v2\n', 'dir/b.conf': 'b v2\n', 'c.conf': 'c\n' }, kernelVersion: '6.2.0' };

/** A process that takes the sysroot lock, says "locked", and holds it until told (or killed). */
function holdLock(sysroot: string): Promise<ChildProcess> {
  const lockModule = path.join(REPO_ROOT, 'core/dist/sysroot/SysrootLock.js');
  const script = `require(${JSON.stringify(lockModule)}).SysrootLock.acquire(process.argv[1], { purpose: 'test holder' })
    .then((lock) => { process.stdout.write('locked\\n'); process.stdin.once('data', () => { lock.release(); process.exit(0); }); });`;
  const child = spawn(process.execPath, ['-e', script, sysroot], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`lock holder exited ${code}`)));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sysroot safety', function () {
  this.timeout(240_000);
  let scratch: string;
  let sysroot: TestSysroot;

  before(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-safety-'));
    sysroot = TestSysroot.create(path.join(scratch, 'sysroot'));
    await sysroot.commit(scratch, V1);
    sysroot.run('deploy', 'os/x86_64');
    await sysroot.commit(scratch, V2);
  });

  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('makes a second mutating command wait for the lock, or fail at once with --no-wait', async () => {
    const holder = await holdLock(sysroot.root);
    const refused = runArbor(['deploy', 'os/x86_64', '--sysroot', sysroot.root, '--no-wait']);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`is locked by another arbor command \\(pid ${holder.pid}, test holder\\) \\[ARBOR_SYSROOT_LOCKED\\]`));

    const waiting = spawn(process.execPath, [ARBOR_BIN, 'pin', '0', '--sysroot', sysroot.root], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    waiting.stderr!.on('data', (chunk) => { stderr += chunk; });
    for (let waited = 0; !stderr.includes('Waiting for another arbor command') && waited < 20_000; waited += 50) await sleep(50);
    assert.match(stderr, new RegExp(`Waiting for another arbor command \\(pid ${holder.pid}, test holder\\) to release`));
    assert.equal(waiting.exitCode, null, 'still waiting while the lock is held');
    holder.stdin!.write('release\n');
    assert.equal(await exited(waiting), 0, stderr);
  });

  it('frees the lock when its holder is killed', async () => {
    const holder = await holdLock(sysroot.root);
    holder.kill('SIGKILL');
    await exited(holder);
    assert.equal(runArbor(['pin', '0', '--sysroot', sysroot.root, '--no-wait']).status, 0);
  });

  it('survives SIGKILL at 20 points of a deploy: entries boot complete deployments, and the deploy then succeeds', async () => {
    const lockFile = path.join(sysroot.root, 'arbor/lock');
    const args = [ARBOR_BIN, 'deploy', 'os/x86_64', '--sysroot', sysroot.root];
    const deploy = (killAfter?: number) => runKilledAfterLock(args, lockFile, killAfter);

    const timed = await deploy();
    assert.ok(timed.work > 0, 'a whole deploy ran to measure its length');
    const next = seededRandom(20_251_126);
    const points: number[] = [];
    let killed = 0;
    for (let round = 0; round < 20; round++) {
      const point = Math.round(next() * timed.work * 1.1);
      points.push(point);
      const run = await deploy(point);
      if (run.killed) killed++;
      const context = `kill ${round} at ${point} ms of ${timed.work} (points so far: ${points.join(', ')})`;
      try {
        sysroot.assertEntriesBootCompleteDeployments();
        const status = readStatus(Sysroot.open(sysroot.root));
        assert.ok(status.deployments.length >= 1);
        for (const deployment of status.deployments) assert.ok(fs.existsSync(path.join(deployment.path, 'usr/bin/tool')));
      } catch (error) {
        (error as Error).message = `${context}: ${(error as Error).message}`;
        throw error;
      }
      const rerun = runArbor(['deploy', 'os/x86_64', '--sysroot', sysroot.root]);
      assert.equal(rerun.status, 0, `${context}: the same deploy then fails: ${rerun.stderr}`);
      sysroot.assertEntriesBootCompleteDeployments();
      if (round % 5 === 4) assert.equal(runArbor(['cleanup', '--sysroot', sysroot.root]).status, 0);
    }
    assert.ok(killed >= 12, `most kills land inside the deploy (${killed} of 20 did)`);
  });
});
