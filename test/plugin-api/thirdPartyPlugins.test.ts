import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PackedProject } from '../support/PackedProject';
import { requireRoot, requireTool } from '../support/requireTool';
import { REPO_ROOT } from '../support/runArbor';
import { writeTree, removeTree } from '../support/tempDir';
import { buildOsTree } from '../sysroot/sysrootFixture';
import { OS_PACKAGES } from '../compose/composeFixture';
import { buildTestRepo } from '../compose/TestRpmRepo';

const PLUGINS = path.join(REPO_ROOT, 'test', 'fixtures', 'plugins');

interface StatusJson { deployments: { commit: string; serial: number; index: number }[] }

/**
 * The acceptance of the open kernel: three plugins a third party could have written, each in
 * test/fixtures/plugins, installed with a packed @arbor/core into a project outside the
 * workspace, using only documented exports (@arbor/core/plugin).
 */
describe('third-party plugins installed from packed packages', function () {
  this.timeout(900_000);
  let scratch: string;
  let project: PackedProject;

  before(function () {
    requireTool(this, 'npm', 'getfattr');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-packed-plugins-'));
    project = PackedProject.create(path.join(scratch, 'project'), ['arbor-plugin-toyboot', 'arbor-plugin-keepcopy', 'arbor-plugin-pathlabel'].map((name) => path.join(PLUGINS, name)));
  });
  after(() => {
    if (scratch) removeTree(scratch);
  });

  /** Commits an OS version into the sysroot's repo with the project's own CLI. */
  function commitOs(sysroot: string, version: string): string {
    const tree = path.join(scratch, `os-${version}`);
    buildOsTree(tree, { version, etc: { 'os.conf': `version=${version}\n` } });
    return project.arborOk('commit', '--repo', path.join(sysroot, 'arbor', 'repo'), '--branch', 'os/x86_64', '--tree', tree, '--metadata', `version=${version}`).stdout.trim();
  }

  it('a bootloader writer registered as toyboot gets the ordered deployments on deploy and rollback, and no BLS entries appear', function () {
    project.writeConfig({ plugins: ['toyboot'] });
    const sysroot = path.join(scratch, 'toyboot-sysroot');
    project.arborOk('sysroot', 'init', sysroot, '--stateroot', 'os', '--bootloader', 'toyboot');
    const toyboot = () => JSON.parse(fs.readFileSync(path.join(sysroot, 'boot', 'toyboot.json'), 'utf8')) as { order: { commit: string; serial: number; options: string }[] };
    const status = () => project.arborOk('status', '--sysroot', sysroot, '--json').json<StatusJson>().deployments;
    const same = () => assert.deepEqual(toyboot().order.map((d) => [d.commit, d.serial]), status().map((d) => [d.commit, d.serial]));

    const v1 = commitOs(sysroot, '1');
    project.arborOk('deploy', v1, '--sysroot', sysroot);
    same();
    const v2 = commitOs(sysroot, '2');
    project.arborOk('deploy', v2, '--sysroot', sysroot);
    assert.deepEqual(toyboot().order.map((d) => d.commit), [v2, v1]);
    assert.match(toyboot().order[0]!.options, /arbor=\/arbor\/boot\.\d\/os\//);
    project.arborOk('rollback', '--sysroot', sysroot);
    assert.deepEqual(toyboot().order.map((d) => d.commit), [v1, v2]);
    same();

    const boot = fs.readdirSync(path.join(sysroot, 'boot')).sort();
    assert.deepEqual(boot, ['arbor', 'toyboot.json'], 'only the kernels and the writer\'s own file: no loader/ entries');
    const plugins = project.arborOk('plugins', '--json').json<{ name: string; bootloaders?: unknown[] }[]>();
    assert.deepEqual(plugins.find((plugin) => plugin.name === 'toyboot:writer')?.bootloaders, [{ name: 'toyboot', writes: ['boot/toyboot.json'], atomic: true }]);
  });

  it('a writer that fails after making the new order live gets the old order written back, and the failed deploy leaves nothing', function () {
    project.writeConfig({ plugins: ['toyboot'] });
    const sysroot = path.join(scratch, 'toyboot-failing');
    project.arborOk('sysroot', 'init', sysroot, '--stateroot', 'os', '--bootloader', 'toyboot');
    const order = () => (JSON.parse(fs.readFileSync(path.join(sysroot, 'boot', 'toyboot.json'), 'utf8')) as { order: { commit: string }[] }).order.map((d) => d.commit);
    const [v1, v2, v3] = ['1', '2', '3'].map((version) => commitOs(sysroot, version));
    project.arborOk('deploy', v1!, '--sysroot', sysroot);
    project.arborOk('deploy', v2!, '--sysroot', sysroot);
    fs.writeFileSync(path.join(sysroot, 'boot', 'toyboot.fail-once'), '');
    const failed = project.arbor('deploy', v3!, '--sysroot', sysroot);
    assert.equal(failed.status, 1);
    assert.match(failed.stderr, /toyboot failed after its swap/);
    assert.deepEqual(order(), [v2, v1], 'the old order is live again');
    assert.equal(fs.existsSync(path.join(sysroot, 'arbor', 'boot.pending')), false, 'no swap is left pending');
    assert.deepEqual(fs.readdirSync(path.join(sysroot, 'arbor/deploy/os/deploy')).filter((name) => name.startsWith(v3!)), [], 'the failed deployment is gone');
    // The next command does not resurrect it, and the deploy then succeeds.
    assert.deepEqual(project.arborOk('status', '--sysroot', sysroot, '--json').json<StatusJson>().deployments.map((d) => d.commit), [v2, v1]);
    project.arborOk('deploy', v3!, '--sysroot', sysroot);
    assert.deepEqual(order(), [v3, v2]);
  });

  it('refuses a bootloader name no plugin registers, suggesting the closest', () => {
    project.writeConfig({ plugins: ['toyboot'] });
    const run = project.arbor('sysroot', 'init', path.join(scratch, 'typo-sysroot'), '--stateroot', 'os', '--bootloader', 'toybot');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /Bootloader "toybot" in --bootloader is not registered by any plugin .*Did you mean "toyboot"\?/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });

  it('a storage strategy serves arbor deploy, and retention and arbor cleanup remove deployments through it', function () {
    const log = path.join(scratch, 'keepcopy.log');
    project.writeConfig({ storage: 'keepcopy', plugins: [['keepcopy', { log }]] });
    const sysroot = path.join(scratch, 'keepcopy-sysroot');
    project.arborOk('sysroot', 'init', sysroot, '--stateroot', 'os');
    const commits = ['1', '2', '3'].map((version) => commitOs(sysroot, version));
    const deployed = commits.map((commit) => project.arborOk('deploy', commit, '--sysroot', sysroot, '--json').json<{ storage: string; path: string }>());
    assert.deepEqual(deployed.map((d) => d.storage), ['keepcopy', 'keepcopy', 'keepcopy']);
    const origin = fs.readFileSync(`${deployed[2]!.path}.origin`, 'utf8');
    assert.match(origin, /^storage=keepcopy$/m);
    // A copy, not hardlinks: the strategy really did the checkout.
    assert.equal(fs.statSync(path.join(deployed[2]!.path, 'usr/bin/tool')).nlink, 1);

    project.arborOk('cleanup', '--sysroot', sysroot);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    assert.deepEqual(lines.filter((line) => line.startsWith('checkout')), deployed.map((d) => `checkout ${d.path}`));
    // The third deploy's retention removed the oldest, beyond the rollback; cleanup had nothing left to remove.
    assert.deepEqual(lines.filter((line) => line.startsWith('remove')), [`remove ${deployed[0]!.path}`], 'the oldest deployment went through the strategy');
    assert.equal(fs.existsSync(deployed[0]!.path), false);
    assert.ok(fs.existsSync(deployed[2]!.path));
  });

  it('a labeler labels every file and directory of commit --tree with its runtime path, usr/etc as /etc', function () {
    requireRoot(this);
    project.writeConfig({ plugins: ['pathlabel'] });
    const tree = path.join(scratch, 'label-tree');
    writeTree(tree, { 'usr/etc/ssh/sshd_config': 'Port 22\n', 'usr/bin/tool': 'x\n', 'var/lib/x': 'y\n' });
    const repo = path.join(scratch, 'label-repo');
    project.arborOk('init', '--repo', repo, '--mode', 'bare');
    project.arborOk('commit', '--repo', repo, '--branch', 'labeled', '--tree', tree);
    const checkout = path.join(scratch, 'label-checkout');
    project.arborOk('checkout', '--repo', repo, 'labeled', checkout);
    assertLabels(checkout, ['/usr/etc/ssh/sshd_config', '/usr/etc/ssh', '/usr/etc', '/usr/bin/tool', '/var/lib/x']);
  });

  it('the same labeler runs for compose, whose usr/etc files carry /etc/...', function () {
    requireRoot(this);
    requireTool(this, 'rpmbuild', 'createrepo_c');
    const repoDir = path.join(scratch, 'rpms');
    buildTestRepo(repoDir, OS_PACKAGES, path.join(scratch, 'rpmbuild'));
    project.writeConfig({ preset: 'fedora', plugins: ['pathlabel'] });
    const treefile = path.join(scratch, 'labeled.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: 'os/labeled', repos: [repoDir], packages: ['hello', 'kernel-demo'] }));
    const repo = path.join(scratch, 'compose-repo');
    project.arborOk('init', '--repo', repo, '--mode', 'bare');
    project.arborOk('compose', 'tree', treefile, '--repo', repo);
    const checkout = path.join(scratch, 'compose-checkout');
    project.arborOk('checkout', '--repo', repo, 'os/labeled', checkout);
    assertLabels(checkout, ['/usr/etc/hello.conf', '/usr/etc', '/usr/bin/hello']);
  });
});

/** Every file and directory carries user.test.label = its runtime path (getfattr is the oracle). */
function assertLabels(root: string, mustHave: string[]): void {
  // getfattr exits 1 when some entry lacks the attribute; what it printed is still the answer.
  const dump = spawnSync('getfattr', ['-R', '-P', '-n', 'user.test.label', '--absolute-names', root], { encoding: 'utf8' }).stdout;
  const labels = new Map<string, string>();
  let file = '';
  for (const line of dump.split('\n')) {
    const name = /^# file: (.*)$/.exec(line);
    if (name) file = `/${path.relative(root, name[1]!)}`.replace(/\/$/, '') || '/';
    const value = /^user\.test\.label="(.*)"$/.exec(line);
    if (value) labels.set(file, value[1]!);
  }
  const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) return [];
    return entry.isDirectory() ? [full, ...walk(full)] : [full];
  });
  const entries = walk(root).map((full) => `/${path.relative(root, full)}`);
  for (const needed of mustHave) assert.ok(entries.includes(needed), `${needed} is in the tree`);
  for (const entry of entries) {
    const expected = entry === '/usr/etc' ? '/etc' : entry.startsWith('/usr/etc/') ? entry.slice(4) : entry;
    assert.equal(labels.get(entry), expected, `user.test.label of ${entry}`);
  }
}
