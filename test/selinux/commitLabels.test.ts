import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { assertLabelsMatchMatchpathcon, getfattrLabels } from './checkoutLabels';

const FIXTURE = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default/file_contexts');

/** An ostree-shaped tree from this machine's own files: /etc as usr/etc, binaries, units, man pages, dpkg's state. */
function hostShapedTree(root: string): void {
  const copies: Array<[string, string]> = [
    ['/etc', 'usr/etc'], ['/usr/bin', 'usr/bin'], ['/usr/sbin', 'usr/sbin'], ['/usr/lib/systemd', 'usr/lib/systemd'],
    ['/usr/share/man/man8', 'usr/share/man/man8'], ['/var/lib/dpkg/info', 'var/lib/dpkg/info'], ['/var/log', 'var/log'],
  ];
  for (const [from, to] of copies) {
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    // Hardlinks: the commit only reads them. Device nodes, sockets and fifos are not committed.
    execFileSync('cp', ['-a', '--link', from, path.join(root, to)]);
  }
  execFileSync('find', [root, '(', '-type', 'b', '-o', '-type', 'c', '-o', '-type', 'p', '-o', '-type', 's', ')', '-delete']);
  for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib']]) fs.symlinkSync(target!, path.join(root, link!));
}

describe('arbor commit --file-contexts', function () {
  this.timeout(10 * 60_000);
  const tmp = useTempDir('arbor-selinux-commit-');

  function arborOk(...args: string[]): string {
    const run = runArbor([...args, '--config', path.join(tmp(), 'arbor.config.json')]);
    if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}`);
    return run.stdout.trim();
  }

  beforeEach(() => fs.writeFileSync(path.join(tmp(), 'arbor.config.json'), JSON.stringify({ preset: 'fedora' })));

  it('labels every directory, file and symlink as matchpathcon does, and checkout writes the labels back', async function () {
    requireTool(this, 'matchpathcon', 'getfattr');
    requireRoot(this);
    const tree = path.join(tmp(), 'tree');
    hostShapedTree(tree);
    const repo = path.join(tmp(), 'repo');
    arborOk('init', '--repo', repo, '--mode', 'bare');
    arborOk('commit', '--repo', repo, '--branch', 'os/labeled', '--tree', tree, '--file-contexts', FIXTURE);
    const checkout = path.join(tmp(), 'checkout');
    arborOk('checkout', '--repo', repo, 'os/labeled', checkout);
    const { checked, labeled } = await assertLabelsMatchMatchpathcon(checkout, FIXTURE);
    console.log(`      ${checked} entries checked, ${labeled} labeled`);
    assert.ok(checked > 5000 && labeled > 5000);
    // usr/etc/shadow is labeled as /etc/shadow (shadow_t), not as /usr/etc/shadow (etc_t).
    assert.equal(getfattrLabels(checkout).get('/usr/etc/shadow'), 'system_u:object_r:shadow_t:s0\0');
  });

  it('stores the labels in the objects: a commit of the same tree without --file-contexts differs and checks out unlabeled', function () {
    requireRoot(this);
    const tree = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(tree, 'usr/bin'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'usr/bin/tool'), '#!/bin/sh\n');
    const repo = path.join(tmp(), 'repo');
    arborOk('init', '--repo', repo, '--mode', 'bare');
    const labeled = arborOk('commit', '--repo', repo, '--branch', 'a', '--tree', tree, '--file-contexts', FIXTURE);
    const plain = arborOk('commit', '--repo', repo, '--branch', 'b', '--tree', tree);
    assert.notEqual(labeled, plain);
    arborOk('checkout', '--repo', repo, 'b', path.join(tmp(), 'plain'));
    assert.equal(getfattrLabels(path.join(tmp(), 'plain')).size, 0);
    arborOk('checkout', '--repo', repo, 'a', path.join(tmp(), 'labeled'));
    assert.equal(getfattrLabels(path.join(tmp(), 'labeled')).get('/usr/bin/tool'), 'system_u:object_r:bin_t:s0\0');
  });
});
