import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor, type InstallRequest } from '@arbor/core';
import { installPackage, rpmPlugin, RpmInstallState, STATE_KEY } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { FIXTURES } from '../support/runArbor';
import { buildRpm } from './buildRpm';
import { featurePackage, TREE_GROUPS, TREE_USERS } from './featurePackage';
import { listTree, rpmInstall, writeAccounts } from './treeOracle';

const PAYLOADS = { gzip: 'w9.gzdio', xz: 'w2.xzdio', zstd: 'w19.zstdio' } as const;

describe('installing RPMs into a tree', function () {
  this.timeout(120_000);
  let work = '';
  const packages = new Map<string, string>();

  before(function () {
    requireTool(this, 'rpmbuild', 'rpm', 'getfattr', 'xz', 'bzip2');
    requireRoot(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-install-'));
    for (const [name, payload] of Object.entries(PAYLOADS)) packages.set(name, buildRpm(work, featurePackage(payload)));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Two fresh trees with the same accounts: one for rpm, one for Arbor. */
  function trees(label: string): { rpmTree: string; arborTree: string } {
    const rpmTree = path.join(work, `${label}-rpm`);
    const arborTree = path.join(work, `${label}-arbor`);
    for (const tree of [rpmTree, arborTree]) writeAccounts(tree, TREE_USERS, TREE_GROUPS);
    return { rpmTree, arborTree };
  }

  for (const compression of Object.keys(PAYLOADS)) {
    it(`installs a ${compression} package exactly as rpm -i does: content, modes, owners, links, hardlinks and caps`, async () => {
      const file = packages.get(compression)!;
      const { rpmTree, arborTree } = trees(compression);
      rpmInstall(rpmTree, [file]);
      const installed = await installPackage(file, { tree: arborTree });
      const expected = listTree(rpmTree);
      const actual = listTree(arborTree);
      assert.deepEqual(actual.entries, expected.entries);
      assert.deepEqual(actual.hardlinkGroups, expected.hardlinkGroups);
      assert.deepEqual(actual.hardlinkGroups, [['opt/arbor/hard1', 'opt/arbor/hard2', 'opt/arbor/hard3']]);
      assert.equal(installed.nevra, 'arbor-features-1.0-1.noarch');
    });
  }

  it('applies each attribute the way rpm documents it (checked directly, not only against rpm)', async () => {
    const { arborTree } = trees('attributes');
    const result = await installPackage(packages.get('zstd')!, { tree: arborTree });
    const stat = (relative: string) => fs.lstatSync(path.join(arborTree, relative));
    assert.equal(fs.existsSync(path.join(arborTree, 'opt/arbor/state.log')), false, '%ghost files are not created');
    assert.equal(stat('opt/arbor/setuid').mode & 0o7777, 0o4755);
    assert.equal(stat('opt/arbor/setuid-unknown-user').mode & 0o7777, 0o755, 'an unknown user loses setuid');
    assert.equal(stat('opt/arbor/setuid-unknown-user').uid, 0);
    assert.equal(stat('opt/arbor/setuid-unknown-user').gid, 10, 'wheel is in the tree\'s group file');
    assert.equal(stat('opt/arbor/setgid-unknown-group').mode & 0o7777, 0o755, 'an unknown group loses setgid');
    assert.deepEqual([stat('opt/arbor/setgid-unknown-group').uid, stat('opt/arbor/setgid-unknown-group').gid], [1500, 0]);
    assert.deepEqual([stat('opt/arbor/alice.conf').uid, stat('opt/arbor/alice.conf').gid, stat('opt/arbor/alice.conf').mode & 0o7777], [1500, 1500, 0o640]);
    assert.equal(stat('opt/arbor/tmp').mode & 0o7777, 0o1777);
    assert.equal(stat('opt/arbor/emptydir').mode & 0o7777, 0o700);
    assert.equal(stat('opt/arbor/empty').size, 0);
    assert.equal(fs.readlinkSync(path.join(arborTree, 'opt/arbor/absolute-link')), '/etc/passwd');
    assert.equal(fs.readFileSync(path.join(arborTree, 'opt/arbor/with space/file name.txt'), 'utf8'), 'spaces\n');
    assert.equal(fs.readFileSync(path.join(arborTree, 'opt/arbor/ünïcødé/日本語.txt'), 'utf8'), 'utf-8\n');
    assert.equal(stat('opt/arbor-unlisted/deep').mode & 0o7777, 0o755, 'unlisted parents are 0755');
    // cap_net_admin (12) and cap_net_raw (13), effective: VFS_CAP_REVISION_2 | EFFECTIVE, permitted 0x3000.
    assert.match(listTree(arborTree).entries.find((line) => line.startsWith('opt/arbor/ping '))!, /caps=0100000200300000000000000000000000000000$/);
    assert.deepEqual(result.warnings.sort(), ['group nosuchgroup does not exist in the tree - using root', 'user nosuchuser does not exist in the tree - using root']);
    assert.deepEqual(Object.keys(result.scripts).sort(), ['postin', 'postun', 'prein']);
    assert.deepEqual(result.scripts.prein, { interpreter: ['/bin/sh'], body: 'echo pre "$1"' });
  });

  it('leaves nothing behind beside the tree (the staging directory is removed)', async () => {
    const parent = path.join(work, 'staging-parent');
    const tree = path.join(parent, 'tree');
    fs.mkdirSync(tree, { recursive: true });
    await installPackage(packages.get('gzip')!, { tree });
    assert.deepEqual(fs.readdirSync(parent), ['tree']);
  });

  it('installs every binary fixture package as rpm -i does', async function () {
    const fixtures = ['rpm/rpm-upstream/hlinktest-1.0-1.noarch.rpm', 'rpm/rpm-upstream/capstest-1.0-1.noarch.rpm',
      'rpm/rpm-upstream/attrtest-1.0-1.noarch.rpm-v6', 'rpm/rpm-rs/RPMS/v6/rpm-file-attrs-1.0-1.noarch.rpm',
      'rpm/rpm-rs/RPMS/v6/rpm-hardlinks-1.0-1.noarch.rpm', 'rpm/rpm-rs/RPMS/v6/xz/rpm-basic-2.3.4-5.el9.noarch.rpm',
      'rpm/go-rpmutils/crypto-policies-20210617-1.gitc776d3e.el8.noarch.rpm', 'rpm/go-rpmutils/payload-test-0.1-w6.lzdio.x86_64.rpm',
      'rpm/go-rpmutils/payload-test-0.1-w9.bzdio.x86_64.rpm', 'rpm/rpmfile-py/hello.rpm', 'rpm/rpm-upstream/hello-1.0-1.x86_64.rpm-v3',
      'rpm/rpm-rs/legacy-test_assets/monkeysphere-0.37-1.el7.noarch.rpm', 'repodata/createrepo_c/packages/Archer-3.4.5-6.x86_64.rpm'];
    for (const fixture of fixtures) {
      const label = fixture.replace(/\W+/g, '-');
      const { rpmTree, arborTree } = trees(label);
      rpmInstall(rpmTree, ['--ignorearch', path.join(FIXTURES, fixture)]);
      await installPackage(path.join(FIXTURES, fixture), { tree: arborTree });
      assert.deepEqual(listTree(arborTree), listTree(rpmTree), fixture);
    }
  });

  it('answers the install hook and keeps the install-time scriptlets for its postprocess step', async () => {
    const arbor = new Arbor().use(rpmPlugin());
    const tree = path.join(work, 'hook-tree');
    fs.mkdirSync(tree);
    const request: InstallRequest = { packagePath: packages.get('xz')!, tree, state: {} };
    const result = await arbor.hooks.install.promise(request, arbor.context());
    assert.equal(result?.installedBy, 'arbor:rpm');
    assert.ok(result!.entries > 0);
    const kept = request.state['arbor:rpm:scriptlets'] as { packages: { scriptlets: unknown[] }[] };
    assert.deepEqual(kept.packages.map((pkg) => pkg.scriptlets), [[
      { name: 'pre', interpreter: ['/bin/sh'], body: 'echo pre "$1"' },
      { name: 'post', interpreter: ['/bin/sh'], body: 'echo post "$1"' },
    ]]);
    assert.ok(request.state[STATE_KEY] instanceof RpmInstallState);
    assert.equal((request.state[STATE_KEY] as RpmInstallState).ownerOf('/opt/arbor/plain.txt'), 'arbor-features-1.0-1.noarch');
    assert.equal(fs.readFileSync(path.join(tree, 'opt/arbor/plain.txt'), 'utf8'), 'hello\n');
  });

  it('leaves packages of other formats to other install taps', async () => {
    const arbor = new Arbor().use(rpmPlugin());
    const tree = path.join(work, 'not-rpm-tree');
    fs.mkdirSync(tree);
    const request: InstallRequest = { packagePath: path.join(FIXTURES, 'rpm', 'EXPECTED.txt'), tree, state: {} };
    assert.equal(await arbor.hooks.install.promise(request, arbor.context()), undefined);
    assert.deepEqual(fs.readdirSync(tree), []);
  });
});
