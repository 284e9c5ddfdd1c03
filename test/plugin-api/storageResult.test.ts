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

  it('reports copy for --strategy reflink on a filesystem without clones (ext4), and reflink where it cloned', () => {
    const dir = tmp();
    const fstype = execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    const tree = path.join(dir, 'tree');
    writeTree(tree, { 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
    const repo = path.join(dir, 'repo');
    assert.equal(runArbor(['init', '--repo', repo, '--mode', 'bare']).status, 0);
    assert.equal(runArbor(['commit', '--repo', repo, '--branch', 'main', '--tree', tree]).status, 0);
    const run = runArbor(['checkout', '--repo', repo, 'main', path.join(dir, 'out'), '--strategy', 'reflink', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const reported = run.json<{ strategy: string }>().strategy;
    // btrfs and xfs clone; ext4 and tmpfs cannot, and the result must say so.
    assert.equal(reported, ['btrfs', 'xfs'].includes(fstype) ? 'reflink' : 'copy', `on ${fstype}`);
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'b', 'c.txt'), 'utf8'), 'c\n');
  });

  it('reports copy for --strategy reflink from an archive repo, whose compressed objects are written out, never cloned', () => {
    const dir = tmp();
    const tree = path.join(dir, 'tree');
    writeTree(tree, { 'a.txt': 'a\n', 'b/c.txt': 'c\n' });
    const repo = path.join(dir, 'repo');
    assert.equal(runArbor(['init', '--repo', repo, '--mode', 'archive']).status, 0);
    assert.equal(runArbor(['commit', '--repo', repo, '--branch', 'main', '--tree', tree]).status, 0);
    const run = runArbor(['checkout', '--repo', repo, 'main', path.join(dir, 'out'), '--strategy', 'reflink', '--json']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.json<{ strategy: string }>().strategy, 'copy');
    assert.equal(fs.readFileSync(path.join(dir, 'out', 'b', 'c.txt'), 'utf8'), 'c\n');
  });
});
