import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { REPO_ROOT } from '../support/runArbor';

const DEMO = path.join(REPO_ROOT, 'scripts', 'demo.mjs');

interface DemoRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs scripts/demo.mjs as `npm run demo` does (after the build), with its own TMPDIR so
 * whatever it leaves behind shows, and `--no-boot`: the boots are boot-e2e's and the guide
 * test's job, and three TCG boots would double this test's time. `npm run demo` itself boots.
 */
async function runDemo(tmp: string, options: { stopAt?: RegExp } = {}): Promise<DemoRun> {
  const child = spawn(process.execPath, [DEMO, '--no-boot'], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp, ARBOR_DEMO_KEEP: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (options.stopAt?.test(output) && child.exitCode === null) {
      options.stopAt = undefined;
      child.kill('SIGTERM');
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
  return { status, signal, output };
}

/** Nothing of the run is left: no file in its TMPDIR, no mount under it, no process of it. */
function assertNothingLeft(tmp: string, output: string): void {
  assert.deepEqual(fs.readdirSync(tmp), [], `the demo removed its work dirs\n${output.slice(-2000)}`);
  assert.ok(!fs.readFileSync('/proc/self/mounts', 'utf8').includes(tmp), 'no loop mount is left');
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  assert.ok(!ps.split('\n').some((line) => line.includes(tmp)), `no process of the demo is left:\n${ps.split('\n').filter((line) => line.includes(tmp)).join('\n')}`);
}

describe('npm run demo (scripts/demo.mjs, boots left out)', function () {
  this.timeout(4 * 60 * 1000);
  let tmp = '';

  beforeEach(function () {
    requireRoot(this);
    requireTool(this, 'rpmbuild', 'createrepo_c', 'bwrap', 'mkfs.ext4');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-demo-test-'));
  });

  afterEach(function () {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('runs the mission to a final status of two deployments, release 1 with release 2 as the rollback, and leaves nothing behind', async function () {
    const run = await runDemo(tmp);
    assert.equal(run.status, 0, run.output.slice(-3000));
    for (const step of ['Build the sample OS as RPMs and compose release 1', 'Serve it', 'Install to a disk image', 'The admin edits /etc', 'Compose release 2 and upgrade', 'Roll back']) {
      assert.ok(run.output.includes(step), `the demo narrates "${step}"`);
    }
    assert.match(run.output, /No boot: asked not to \(--no-boot\)/);
    assert.match(run.output, /conflict: \/etc\/motd \(kept yours; the default changed too\)/, 'the upgrade shows the /etc merge report');
    assert.match(run.output, /↑ sample-os\.noarch 1-1 -> 2-1/, 'db diff shows the upgraded package');
    const status = run.output.slice(run.output.lastIndexOf('Deployments:'));
    assert.match(status, /\(index 0, default\)[\s\S]*Version: 1\n[\s\S]*\(index 1, rollback\)[\s\S]*Version: 1\.1\n/, `the final status:\n${status}`);
    assert.match(run.output, /Layered [0-9a-f]{64} on base [0-9a-f]{64} \(arbor:rpm: 1 added/, 'arbor install layered the package');
    assert.match(status, /LayeredPackages: sample-hello[\s\S]*LayeredPackages: sample-hello/, 'both deployments carry the layered package');
    assert.match(run.output, /checked \d+ objects: 0 corrupt, 0 missing/);
    const seconds = Number(/Demo finished in ([\d.]+) s/.exec(run.output)?.[1]);
    assert.ok(seconds > 0, 'the demo prints its total time');
    console.log(`      demo without boots: ${seconds} s (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs)`);
    assertNothingLeft(tmp, run.output);
  });

  it('stops its server, unmounts its disk and removes its work dir when killed half-way', async function () {
    // Stopped once the server runs and the disk is mounted: both must be undone.
    const run = await runDemo(tmp, { stopAt: /machine\$ arbor pull/ });
    assert.equal(run.status, 143, `exits 128 + SIGTERM\n${run.output.slice(-2000)}`);
    assert.match(run.output, /demo: SIGTERM, stopping what it started/);
    assertNothingLeft(tmp, run.output);
  });
});
