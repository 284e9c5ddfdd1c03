import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { buildRpm } from './buildRpm';

const SIZE = 400 << 20;

describe('a large package', function () {
  this.timeout(120_000);
  let work = '';

  before(function () {
    requireTool(this, 'rpmbuild', 'xz');
    requireRoot(this);
    // tmpfs when there is one: the test is about our memory, not the disk's speed.
    work = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'arbor-rpm-large-'));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const payload of ['w3.zstdio', 'w6.gzdio', 'w2.xzdio']) {
    it(`installs 400 MB of ${payload} payload with a bounded resident set: the payload streams, it is never held`, () => {
      const file = buildRpm(work, {
        name: 'large',
        payload,
        entries: [{ path: '/opt/large/blob', generate: `head -c ${SIZE} /dev/zero` }, { path: '/opt/large/small', content: 'small\n' }],
      });
      const tree = path.join(work, `tree-${payload}`);
      fs.mkdirSync(tree);
      const plugin = require.resolve('@arbor/plugin-rpm');
      // A child process, so the peak resident set is this install's alone. Its VmHWM, not
      // getrusage's maxRSS: Linux carries maxRSS across execve, so the child would report the
      // test runner's own peak whenever that is higher.
      const script = `require(${JSON.stringify(plugin)}).installPackage(process.argv[1], { tree: process.argv[2] })
        .then(() => process.stdout.write(String(Number(/VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]) * 1024)),
          (e) => { console.error(e.message); process.exit(1); });`;
      const child = spawnSync(process.execPath, ['-e', script, file, tree], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(fs.statSync(path.join(tree, 'opt/large/blob')).size, SIZE);
      fs.rmSync(tree, { recursive: true });
      const peak = Number(child.stdout);
      // It peaks near 85-95 MB, Node's own ~45 MB included.
      assert.ok(peak < 150 << 20, `peak resident set ${Math.round(peak / (1 << 20))} MB for a ${SIZE >> 20} MB payload`);
    });
  }
});
