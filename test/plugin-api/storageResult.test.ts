import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { useTempDir, writeTree } from '../support/tempDir';

/** What a checkout reports is what it did, not what was asked. */
describe('checkout strategies report what they did', function () {
  this.timeout(120_000);
  const tmp = useTempDir('arbor-strategy-');

  /** Commits a small tree into a repo of `mode` and checks it out with --strategy reflink; returns the strategy reported. */
  function reflinkCheckout(dir: string, mode: 'bare' | 'archive'): string {
    const tree = path.join(dir, 'tree');
    writeTree(tree, { 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
    const repo = path.join(dir, 'repo');
    assert.equal(runArbor(['init', '--repo', repo, '--mode', mode]).status, 0);
    assert.equal(runArbor(['commit', '--repo', repo, '--branch', 'main', '--tree', tree]).status, 0);
    const run = runArbor(['checkout', '--repo', repo, 'main', path.join(dir, 'out'), '--strategy', 'reflink', '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'b', 'c.txt'), 'utf8'), 'c\n');
    return run.json<{ strategy: string }>().strategy;
  }

  it('reports copy for --strategy reflink on a filesystem without clones (ext4), and reflink where it cloned', () => {
    const dir = tmp();
    const fstype = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    // btrfs and xfs clone; ext4 and tmpfs cannot, and the result must say so.
    assert.equal(reflinkCheckout(dir, 'bare'), ['btrfs', 'xfs'].includes(fstype) ? 'reflink' : 'copy', `on ${fstype}`);
  });

  it('reports copy for --strategy reflink from an archive repo, whose compressed objects are written out, never cloned', () => {
    assert.equal(reflinkCheckout(tmp(), 'archive'), 'copy');
  });
});
