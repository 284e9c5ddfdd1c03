import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingBootPackages } from '../support/qemu';
import { requireRoot, requireTool } from '../support/requireTool';
import { ARBOR_BIN, REPO_ROOT, runArbor } from '../support/runArbor';
import { BOOT_TAG, hiddenCommands, readBlocks, SHELL_LANGUAGE } from './GuideBlocks';
import { runGuideScript, type GuideRun } from './GuideScript';
import { freePort } from '../support/freePort';

const PAGE = 'docs/guide.md';
const GUIDE = path.join(REPO_ROOT, PAGE);
const REF = 'sample/x86_64/os';


/** A PATH directory whose `arbor` is this clone's CLI, as the README's install gives one. */
function arborOnPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'arbor'), `#!/bin/sh\nexec "${process.execPath}" "${ARBOR_BIN}" "$@"\n`, { mode: 0o755 });
  return bin;
}

/** The sample init's `SAMPLE-<WHAT> value` lines of one boot's console log. */
function bootReport(work: string, label: string): Map<string, string> {
  const file = path.join(work, `console-${label}.log`);
  assert.ok(fs.existsSync(file), `the guide's boot ${label} wrote ${file}`);
  const report = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const match = /^SAMPLE-([A-Z]+) (.*)$/.exec(line.trim());
    if (match) report.set(match[1]!, match[2]!.trim());
  }
  return report;
}

/** Leaves nothing behind when the guide stopped half-way: its loop mount and its nginx. */
function cleanUp(work: string): void {
  const mnt = path.join(work, 'mnt');
  if (spawnSync('mountpoint', ['-q', mnt]).status === 0) execFileSync('umount', [mnt]);
  const pidFile = path.join(work, 'nginx', 'nginx.pid');
  if (fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      // Already gone: the guide's last block stopped it.
    }
  }
}

function describeFailure(run: GuideRun): string {
  const where = run.stoppedIn ? `the block at ${PAGE}:${run.stoppedIn.line} failed` : 'the script stopped outside a block';
  return `${where} (exit ${run.status}${run.timedOut ? ', timed out' : ''}); output's end:\n${run.output.split('\n').slice(-40).join('\n')}`;
}

/** The run's time, with the boots' share and the slowest other blocks. */
function timing(run: GuideRun): string {
  const entries = [...run.seconds];
  const total = entries.reduce((sum, [, s]) => sum + s, 0);
  const boots = entries.filter(([block]) => block.tags.includes(BOOT_TAG)).reduce((sum, [, s]) => sum + s, 0);
  const slowest = entries.filter(([block]) => !block.tags.includes(BOOT_TAG)).sort((a, b) => b[1] - a[1]).slice(0, 3);
  return `guide: ${total.toFixed(1)} s, boots ${boots.toFixed(1)} s; slowest other blocks: ${slowest.map(([block, s]) => `${PAGE}:${block.line} ${s.toFixed(1)} s`).join(', ')}`;
}

describe('docs/guide.md runs as written', function () {
  this.timeout(6 * 60 * 1000);

  it('tags every command block "sh" (or "sh boot"), so none hides from the run below', function () {
    const blocks = readBlocks(GUIDE);
    const hidden = blocks.map((block) => ({ block, why: hiddenCommands(block) })).filter(({ why }) => why);
    assert.deepEqual(hidden.map(({ block, why }) => `${PAGE}:${block.line}: ${why}`), []);
    const shell = blocks.filter((block) => block.language === SHELL_LANGUAGE);
    assert.ok(shell.length >= 15, `the guide has its walk-through (${shell.length} sh blocks)`);
    assert.ok(shell.some((block) => block.tags.includes(BOOT_TAG)), 'the guide boots the machine');
  });

  it('composes, signs, publishes on nginx, installs to a disk, boots, upgrades and rolls back: every sh block, in order', async function () {
    requireRoot(this);
    requireTool(this, 'nginx', 'rpmbuild', 'createrepo_c', 'mkfs.ext4', 'mkfs.fat', 'mcopy', 'mountpoint');
    const missingBoot = missingBootPackages(['systemd-boot-efi']);
    if (missingBoot.length && process.env.CI) throw new Error(`the guide's boots need ${missingBoot.join(', ')} (CI installs them in .ci/run)`);

    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-guide-'));
    const work = path.join(scratch, 'work');
    fs.mkdirSync(work);
    // nginx's workers (user nobody) walk down to the repo; mkdtemp's 0700 would stop them.
    fs.chmodSync(scratch, 0o755);
    const blocks = readBlocks(GUIDE);
    let run: GuideRun | undefined;
    try {
      run = await runGuideScript({
        blocks,
        page: PAGE,
        cwd: REPO_ROOT,
        env: { ...process.env, PATH: `${arborOnPath(scratch)}:${process.env.PATH}`, WORK: work, PORT: String(await freePort()), ARBOR_SRC: REPO_ROOT, DEBUG: '' },
        skipBoot: missingBoot.length > 0,
        dir: scratch,
        timeoutMs: 5 * 60 * 1000,
      });
      assert.equal(run.status, 0, describeFailure(run));
      console.log(`      ${timing(run)}`);
      // Coverage: every sh block ran to its end, or is a boot block left out (and said so below).
      const ran = new Set([...run.completed, ...run.skipped]);
      assert.deepEqual(run.shellBlocks.filter((block) => !ran.has(block)).map((block) => `${PAGE}:${block.line}`), [], 'sh blocks that never ran to their end');

      assert.match(run.output, /^sample-kernel-\S+\.noarch\nsample-os-1-1\.noarch$/m, "rpm -qa in the pull-local deployment lists the composed packages");
      const log = runArbor(['log', '--repo', path.join(work, 'build', 'repo'), REF, '--json']).json<{ commit: string; metadata: Record<string, unknown> }[]>();
      assert.deepEqual(log.map((entry) => entry.metadata.version), ['1.1', '1'], 'the integrator composed two releases');
      const [v2, v1] = log.map((entry) => entry.commit);

      // The guide unmounted the disk at its end: mount it again, read-only, for its final state.
      const mnt = path.join(work, 'mnt');
      let layeredV2 = '';
      execFileSync('mount', ['-o', 'loop,ro', path.join(work, 'root.img'), mnt]);
      try {
        const status = runArbor(['status', '--sysroot', mnt, '--json']).json<{ deployments: { index: number; commit: string; base: string; version: string; layered: string[] }[] }>();
        assert.deepEqual(status.deployments.map((d) => [d.index, d.base, d.version, d.layered]), [[0, v1, '1', ['sample-hello']], [1, v2, '1.1', ['sample-hello']]],
          'rolled back: release 1 is the default and release 2 the rollback, both with the layered package');
        layeredV2 = status.deployments[1]!.commit;
      } finally {
        execFileSync('umount', [mnt]);
      }

      if (run.skipped.length) {
        console.log(`      skipped: the guide's ${run.skipped.length} boot blocks (${run.skipped.map((block) => `${PAGE}:${block.line}`).join(', ')}) need the Debian package(s) ${missingBoot.join(', ')}`);
        this.skip();
      }
      const boots = ['v1', 'v2'].map((label) => bootReport(work, label));
      assert.deepEqual(boots.map((report) => report.get('BOOTED')), [`${v1}.0 Arbor Sample OS 1`, `${layeredV2}.0 Arbor Sample OS 2`]);
      assert.deepEqual(boots.map((report) => report.get('MOTD')), ['Welcome to the Arbor sample OS, release 1.', 'Managed by the admin team.'], "the admin's /etc edit survives the upgrade");
      assert.deepEqual(boots.map((report) => report.get('USR')), ['read-only', 'read-only']);
      assert.deepEqual(boots.map((report) => report.get('HELLO')), ['not installed', 'hello from a layered package'], 'the layered package is in the upgraded system');
      assert.deepEqual(boots.map((report) => report.get('BOOTS')), ['1', '2'], '/var is shared by the deployments');
    } catch (error) {
      if (run && !(error instanceof assert.AssertionError)) console.log(run.output.split('\n').slice(-40).join('\n'));
      throw error;
    } finally {
      cleanUp(work);
      if (process.env.ARBOR_KEEP_GUIDE_WORK) console.log(`      guide work kept in ${scratch}`);
      else fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
