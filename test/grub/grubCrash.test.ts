import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARBOR_BIN } from '../support/runArbor';
import { requireTool } from '../support/requireTool';
import { GrubSysroot } from './grubSysroot';

/** Runs arbor in a child and SIGKILLs it after `killAfterMs` (if still running); resolves with how it ended. */
function runKilled(args: string[], killAfterMs: number): Promise<{ killed: boolean; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [ARBOR_BIN, ...args], { stdio: 'ignore', env: { ...process.env, DEBUG: '' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('error', reject);
    child.once('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', ms: Date.now() - started });
    });
  });
}

/**
 * Crash at a random instant of an upgrade or a rollback, then look at /boot as GRUB would on
 * the next boot: grub.cfg is whole (GRUB's parser accepts it) and every Arbor entry names a
 * kernel and initramfs that exist and an `arbor=` that resolves to a complete deployment: the
 * old boot order or the new one, never a mix. The next command then finishes the job.
 */
describe('grub.cfg survives a deploy killed at a random point', function () {
  this.timeout(300_000);
  let scratch: string;
  let sysroot: GrubSysroot;

  before(function () {
    requireTool(this, 'grub-script-check');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-crash-'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** What GRUB would boot from the file as it is on disk now. */
  function assertBootableAfterCrash(step: string): string[] {
    const ours = sysroot.grubEntries().filter((entry) => entry.id?.startsWith('arbor-'));
    assert.ok(ours.length > 0, `${step}: Arbor entries in grub.cfg`);
    return ours.map((entry) => {
      const [kernel, ...cmdline] = entry.linux!;
      for (const file of [kernel!, entry.initrd![0]!]) assert.ok(fs.existsSync(path.join(sysroot.root, file)), `${step}: ${entry.id} names ${file}`);
      const link = cmdline.find((arg) => arg.startsWith('arbor='))!.slice('arbor='.length);
      const deployment = fs.realpathSync(path.join(sysroot.root, link));
      for (const part of ['usr/bin/tool', 'etc']) assert.ok(fs.existsSync(path.join(deployment, part)), `${step}: ${entry.id} boots a deployment with ${part}`);
      assert.ok(fs.existsSync(`${deployment}.origin`), `${step}: ${entry.id} boots a deployment with its origin`);
      return path.basename(deployment);
    });
  }

  it('leaves the old or the new complete boot order, over 8 random kill points', async () => {
    sysroot = GrubSysroot.init(scratch, { mode: 'generated' });
    await sysroot.commit(scratch, { version: '1', etc: {} });
    sysroot.run('deploy', 'os/x86_64', '--karg', 'root=/dev/vda2');
    const base = ['--sysroot', sysroot.root, '--config', sysroot.configFile];
    // One uninterrupted upgrade measures how long the window is.
    await sysroot.commit(scratch, { version: '2', etc: {} });
    const full = await runKilled(['upgrade', ...base], 600_000);
    assert.equal(full.killed, false);
    let interrupted = 0;
    const outcomes = { old: 0, new: 0 };
    for (let round = 0; round < 8; round++) {
      const before = assertBootableAfterCrash(`round ${round}, before`);
      const rollback = round % 2 === 1;
      if (!rollback) await sysroot.commit(scratch, { version: `${round + 3}`, etc: {} });
      // Node's start takes most of the window; bias the kill points towards the writes.
      const killAt = Math.floor(full.ms * (0.5 + 0.6 * Math.random()));
      // --keep 2: the upgrade adds one in front and removes nothing, so "new" is exact; cleanup trims.
      const run = await runKilled(rollback ? ['rollback', ...base] : ['upgrade', '--keep', '2', ...base], killAt);
      if (run.killed) interrupted++;
      const after = assertBootableAfterCrash(`round ${round} (${rollback ? 'rollback' : 'upgrade'} killed at ${killAt} ms: ${run.killed})`);
      // Exactly the old order, or exactly the new one: the rollback swaps the first two, the
      // upgrade puts one new deployment in front of the old order.
      const isOld = JSON.stringify(after) === JSON.stringify(before);
      const isNew = rollback
        ? JSON.stringify(after) === JSON.stringify([before[1], before[0], ...before.slice(2)])
        : after.length === before.length + 1 && !before.includes(after[0]!) && JSON.stringify(after.slice(1)) === JSON.stringify(before);
      assert.ok(isOld || isNew, `round ${round}: ${JSON.stringify(after)} is neither the old order ${JSON.stringify(before)} nor the new one`);
      outcomes[isOld ? 'old' : 'new']++;
      // Recovery: the same command again, then cleanup. (Cleanup first is unsafe after a kill
      // between the writer's swap and the core's record: see the pending test below.)
      const recorded = sysroot.state().deployments.map((d) => `${d.commit}.${d.serial}`);
      if (run.killed && JSON.stringify(recorded) !== JSON.stringify(after)) sysroot.run(...(rollback ? ['rollback'] : ['upgrade', '--keep', '2']));
      sysroot.run('cleanup');
      sysroot.assertGrubCfgMatchesStatus();
    }
    console.log(`      ${interrupted} of 8 runs killed before they finished (window ${full.ms} ms); GRUB would boot the old order ${outcomes.old} times, the new ${outcomes.new}`);
  });

  /**
   * swapBootOrder makes the writer's configuration live, then records the boot version in
   * arbor/boot. A kill between the two leaves grub.cfg naming arbor=/arbor/boot.<B'> while the
   * record still says B, with the swap's note arbor/boot.pending -> boot.<B'> on disk; cleanup
   * must not then delete boot.<B'> and the new deployment. Simulated by putting the record and
   * the note back as the kill would have left them after a complete upgrade.
   */
  it('keeps what the live grub.cfg boots when cleanup runs right after a kill between the writer and the record', async () => {
    const s = GrubSysroot.init(scratch, { mode: 'generated' }, {}, 'record-gap');
    await s.commit(scratch, { version: '1', etc: {} });
    s.run('deploy', 'os/x86_64');
    await s.commit(scratch, { version: '2', etc: {} });
    const record = path.join(s.root, 'arbor', 'boot');
    const before = fs.readlinkSync(record);
    s.run('upgrade');
    fs.symlinkSync(fs.readlinkSync(record), path.join(s.root, 'arbor', 'boot.pending'));
    fs.unlinkSync(record);
    fs.symlinkSync(before, record);
    s.run('cleanup');
    for (const entry of s.grubEntries().filter((e) => e.id?.startsWith('arbor-'))) {
      const link = entry.linux!.find((arg) => arg.startsWith('arbor='))!.slice('arbor='.length);
      assert.ok(fs.existsSync(path.join(s.root, link)), `${entry.id}: ${link} still exists`);
    }
  });
});
