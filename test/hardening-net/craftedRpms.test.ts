import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARBOR_BIN } from '../support/runArbor';
import { requireTool } from '../support/requireTool';
import { craft, CRAFTED, type CraftedName } from './craftRpms';
import { installUnderHeap } from './installUnderHeap';

/** What each crafted package must fail with, and whether rpm itself reads it as a valid package. */
const EXPECTED: Record<CraftedName, { code: string; message: RegExp; rpmAccepts: boolean; infoFails: boolean }> = {
  'shared-dirnames': { code: 'ARBOR_RPM_HEADER_INVALID', message: /file 0 \(f0\) has a path of 1048577 bytes, more than PATH_MAX \(4095\)/, rpmAccepts: true, infoFails: true },
  'huge-count': { code: 'ARBOR_RPM_HEADER_INVALID', message: /main header entry \d+ \(tag 1117, type 8, offset \d+, count 134217728\) holds more than 1048576 values/, rpmAccepts: false, infoFails: true },
  'after-trailer': { code: 'ARBOR_RPM_PAYLOAD_INVALID', message: /the payload goes on after the cpio trailer \(more than 65536 bytes\)/, rpmAccepts: true, infoFails: false },
  'oversized-file': { code: 'ARBOR_RPM_PAYLOAD_INVALID', message: /\/usr\/share\/big has 67108864 bytes in the payload, the header says 6/, rpmAccepts: true, infoFails: false },
};

/**
 * The crafted packages of issue 19 (craftRpms.ts): valid structure and digests, absurd sizes.
 * Under a 512 MB heap, `arbor rpm info` and install each fail fast with one ArborError (or, for
 * the payload cases, info succeeds without reading the payload), and write nothing large.
 */
describe('crafted RPMs fail fast under a 512 MB heap', function () {
  this.timeout(180_000);
  let dir: string;
  const files = {} as Record<CraftedName, string>;

  before(function () {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-crafted-rpm-'));
    for (const name of CRAFTED) {
      files[name] = path.join(dir, `crafted-${name}.rpm`);
      fs.writeFileSync(files[name], craft(name));
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are packages rpm itself reads (the oracle), apart from the one rpm refuses too', function () {
    requireTool(this, 'rpm');
    for (const name of CRAFTED) {
      const result = spawnSync('rpm', ['-K', '--nosignature', files[name]], { encoding: 'utf8' });
      assert.equal(result.status === 0, EXPECTED[name].rpmAccepts, `rpm -K ${name}: ${result.stdout}${result.stderr}`);
    }
  });

  for (const name of CRAFTED) {
    it(`${name}: install fails with ${EXPECTED[name].code} and writes nothing`, async () => {
      const tree = path.join(dir, `tree-${name}`);
      fs.mkdirSync(tree);
      const run = await installUnderHeap(files[name], tree);
      assert.equal(run.signal, null, `killed by ${run.signal} after ${run.seconds} s: ${run.stderr}`);
      assert.equal(run.status, 1, `${run.stdout}${run.stderr}`);
      assert.match(run.stdout, new RegExp(`^${EXPECTED[name].code} crafted-${name}\\.rpm: ${EXPECTED[name].message.source}`));
      assert.ok(run.seconds < 30, `took ${run.seconds} s`);
      assert.deepEqual(fs.readdirSync(tree), [], 'the tree is untouched');
    });

    it(`${name}: rpm info ${EXPECTED[name].infoFails ? 'fails with one line' : 'reads the header'} and prints little`, async () => {
      const run = await infoUnderHeap(files[name]);
      assert.equal(run.signal, null, `killed by ${run.signal}: ${run.stderr.slice(-500)}`);
      assert.ok(run.stdoutBytes < 1 << 20, `${run.stdoutBytes} bytes on stdout`);
      if (EXPECTED[name].infoFails) {
        assert.equal(run.status, 1);
        assert.match(run.stderr.trim(), new RegExp(`^Error: crafted-${name}\\.rpm: ${EXPECTED[name].message.source} \\[${EXPECTED[name].code}\\]$`));
      } else {
        assert.equal(run.status, 0, run.stderr);
      }
    });
  }
});

/** `arbor rpm info` under a 512 MB heap, counting (not keeping) what it prints. */
function infoUnderHeap(file: string): Promise<{ status: number | null; signal: NodeJS.Signals | null; stdoutBytes: number; stderr: string }> {
  const child = spawn(process.execPath, ['--max-old-space-size=512', ARBOR_BIN, 'rpm', 'info', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG: '' } });
  let stdoutBytes = 0;
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > 64 << 20) child.kill('SIGKILL');
  });
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-8192)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.once('close', (status, signal) => {
    clearTimeout(timer);
    resolve({ status, signal, stdoutBytes, stderr });
  }));
}
