import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OS_PACKAGES, arbor, arborOk, writeConfig } from '../compose/composeFixture';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { assertLabelsMatchMatchpathcon, getfattrLabels } from './checkoutLabels';

const FIXTURE_DIR = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default');
const POLICY_FILES = path.join('/etc/selinux/refpolicy/contexts/files');

/** A policy package as distributions ship one: the config naming the policy, and its file contexts. */
const POLICY_PACKAGE: TestPackage = {
  name: 'demo-selinux-policy', version: '2.20221101', requires: ['demo-filesystem'],
  files: {
    '/etc/selinux': { dir: true },
    '/etc/selinux/config': '# the policy to load\nSELINUX=enforcing\nSELINUXTYPE=refpolicy\n',
    ...Object.fromEntries(['file_contexts', 'file_contexts.homedirs', 'file_contexts.subs_dist'].map((name) =>
      [path.join(POLICY_FILES, name), fs.readFileSync(path.join(FIXTURE_DIR, name), 'latin1')])),
  },
};

describe('compose with selinux: true', function () {
  this.timeout(10 * 60_000);
  const tmp = useTempDir('arbor-selinux-compose-');

  function compose(packages: string[]): { config: string; repo: string; treefile: string } {
    const repoDir = path.join(tmp(), 'rpms');
    buildTestRepo(repoDir, [...OS_PACKAGES, POLICY_PACKAGE], path.join(tmp(), 'build'));
    const config = writeConfig(tmp());
    const repo = path.join(tmp(), 'repo');
    arborOk(config, 'init', '--repo', repo, '--mode', 'bare');
    const treefile = path.join(tmp(), 'tree.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: 'demo/labeled', repos: [repoDir], packages, selinux: true, scriptlets: false }));
    return { config, repo, treefile };
  }

  it('labels the tree with the policy its packages ship, as matchpathcon labels each path', async function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'matchpathcon', 'getfattr');
    requireRoot(this);
    const { config, repo, treefile } = compose(['hello', 'kernel-demo', 'demo-selinux-policy']);
    arborOk(config, 'compose', 'tree', treefile, '--repo', repo);
    const checkout = path.join(tmp(), 'checkout');
    arborOk(config, 'checkout', '--repo', repo, 'demo/labeled', checkout);
    // The policy moved with /etc to usr/etc; matchpathcon reads the same files from the checkout.
    const fileContexts = path.join(checkout, 'usr', POLICY_FILES, 'file_contexts');
    const { checked, labeled } = await assertLabelsMatchMatchpathcon(checkout, fileContexts);
    console.log(`      ${checked} entries checked, ${labeled} labeled`);
    const labels = getfattrLabels(checkout);
    assert.equal(labels.get('/usr/bin/hello'), 'system_u:object_r:bin_t:s0\0');
    assert.equal(labels.get('/usr/etc/selinux/config'), 'system_u:object_r:selinux_config_t:s0\0');
    assert.equal(labels.get('/usr/lib/systemd/system/hello.service'), 'system_u:object_r:systemd_unit_t:s0\0');
  });

  it('fails naming the tree when selinux: true and no package ships a policy', function () {
    requireTool(this, 'rpmbuild', 'createrepo_c');
    const { config, repo, treefile } = compose(['hello']);
    const run = arbor(config, 'compose', 'tree', treefile, '--repo', repo);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: .*The tree .* has no etc\/selinux\/config naming its SELinux policy/m);
  });
});
