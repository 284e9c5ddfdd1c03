import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { writeTree } from '../support/tempDir';
import { buildOsTree } from '../sysroot/sysrootFixture';
import { assertLabelsMatchMatchpathcon, getfattrLabels } from '../selinux/checkoutLabels';
import { BRANCH, LayeringSysroot, TOYLAYER } from './layeringFixture';
import { LOCAL_LABEL } from './policyLayerPlugin';

const POLICY = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default');
const POLICY_FILES = ['file_contexts', 'file_contexts.homedirs', 'file_contexts.subs_dist'];

interface ChangeJson {
  deployed: { commit: string; path: string; layer?: { reused: boolean } };
}

/**
 * Layering onto a labeled base with the selinux plugin loaded (as the fedora preset does): the
 * layered commit labels only what the layer tap added or changed, and must come out exactly as
 * a full relabel of the same tree would. The oracles are a full `arbor commit` relabel of a
 * checkout of the layered commit (the same root tree, every entry's metadata included) and
 * matchpathcon (every label of that checkout).
 */
describe('package layering under the selinux labeler', function () {
  this.timeout(180_000);
  let scratch: string;
  let sysroot: LayeringSysroot;

  beforeEach(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-labeled-layering-'));
    sysroot = LayeringSysroot.make(scratch);
    fs.writeFileSync(sysroot.config, JSON.stringify({ plugins: [[TOYLAYER, {}], 'selinux'] }));
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  /** A base that ships its policy (usr/etc/selinux), committed with it, so its root is labeled. */
  function commitLabeledBase(): string {
    const tree = path.join(scratch, 'base');
    // No toy package yet: installing one makes usr/share/toylayer/pkgs, a new directory to label.
    buildOsTree(tree, { version: '1', etc: { 'toylayer.repo': `${sysroot.toyRepo}\n`, 'selinux/config': 'SELINUX=enforcing\nSELINUXTYPE=default\n' } });
    writeTree(tree, {
      'usr/share/toylayer/db': '\n',
      'usr/share/base/doc.txt': 'kept as it is\n',
      ...Object.fromEntries(POLICY_FILES.map((name) => [`usr/etc/selinux/default/contexts/files/${name}`, fs.readFileSync(path.join(POLICY, name), 'latin1')])),
    });
    const fileContexts = path.join(tree, 'usr/etc/selinux/default/contexts/files/file_contexts');
    const run = runArbor(['commit', '--repo', sysroot.repoPath, '--branch', BRANCH, '--tree', tree, '--file-contexts', fileContexts, '--metadata', 'version=1', '--config', sysroot.config]);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  }

  /** Checks out `layered` and asserts a full `arbor commit --file-contexts` of it gives the same tree; returns the checkout. */
  function assertFullRelabel(layered: string): string {
    const checkout = path.join(scratch, 'checkout');
    sysroot.repoOk('checkout', layered, checkout);
    const fileContexts = path.join(checkout, 'usr/etc/selinux/default/contexts/files/file_contexts');
    const relabel = runArbor(['commit', '--repo', sysroot.repoPath, '--branch', 'relabel', '--tree', checkout, '--file-contexts', fileContexts, '--config', sysroot.config]);
    assert.equal(relabel.status, 0, relabel.stderr);
    const repo = sysroot.repo();
    const [ours, full] = [repo.readCommit(layered), repo.readCommit(relabel.stdout.trim())];
    assert.equal(ours.rootTree, full.rootTree, 'the layered tree is the fully relabeled tree, every file object included');
    assert.equal(ours.rootMeta, full.rootMeta);
    return checkout;
  }

  it('labels the added files and directories as a full relabel would, and the deployment is the labeled tree', async function () {
    requireRoot(this);
    requireTool(this, 'matchpathcon', 'getfattr');
    const base = commitLabeledBase();
    sysroot.ok('deploy', BRANCH);
    const change = sysroot.ok('install', 'htop', '--json').json<ChangeJson>();
    const layered = change.deployed.commit;
    assert.notEqual(layered, base);
    assert.equal(change.deployed.layer?.reused, false);

    // Oracle 1: relabel a checkout of the layered commit from scratch with a plain commit.
    const checkout = assertFullRelabel(layered);
    // Oracle 2: every label of the layered commit is matchpathcon's, the new ones included.
    const { checked } = await assertLabelsMatchMatchpathcon(checkout, path.join(POLICY, 'file_contexts'));
    assert.ok(checked > 20, `${checked} entries checked`);
    const labels = getfattrLabels(checkout);
    assert.equal(labels.get('/usr/bin/htop'), 'system_u:object_r:bin_t:s0\0', 'the layered file got its label');
    assert.ok(labels.get('/usr/share/toylayer/pkgs'), 'the directory the layering made got its label');

    // The deployment (the scratch tree, adopted) carries the same labels as the checkout.
    const deployed = getfattrLabels(change.deployed.path);
    for (const [entry, label] of labels) {
      if (/^\/(etc|var)(\/|$)/.test(entry)) continue;
      assert.equal(deployed.get(entry), label, `security.selinux of ${entry} in the deployment`);
    }
  });

  it('relabels every file when the layering changes the policy (file_contexts.local)', function () {
    requireRoot(this);
    requireTool(this, 'getfattr');
    fs.writeFileSync(sysroot.config, JSON.stringify({ plugins: [path.join(__dirname, 'policyLayerPlugin.js'), 'selinux'] }));
    commitLabeledBase();
    sysroot.ok('deploy', BRANCH);
    const change = sysroot.ok('install', 'policy-local', '--json').json<ChangeJson>();
    const checkout = assertFullRelabel(change.deployed.commit);
    // A base file the layering did not touch carries the new policy's label.
    const labels = getfattrLabels(checkout);
    assert.equal(labels.get('/usr/share/base/doc.txt'), `${LOCAL_LABEL}\0`);
    assert.equal(getfattrLabels(change.deployed.path).get('/usr/share/base/doc.txt'), `${LOCAL_LABEL}\0`, 'and so does the deployment');
  });
});
