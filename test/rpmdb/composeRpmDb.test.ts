import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rpmPlugin } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { REPO_ROOT, runArbor } from '../support/runArbor';
import { OS_PACKAGES, arborOk, arborOkAsync, initRepo, showCommit, writeConfig } from '../compose/composeFixture';
import { buildTestRepo } from '../compose/TestRpmRepo';
import { rpmIn, rpmVerify } from './specRpm';

interface ComposedPackage { name: string; epoch: number; version: string; release: string; arch: string }

const DB = 'usr/lib/sysimage/rpm/rpmdb.sqlite';
const REF = 'demo/x86_64/base';
const REAL_PACKAGES = ['capstest-1.0-1.noarch.rpm', 'imatest-1.0-1.fc34.noarch.rpm'];
/** What the treefile asks for: the OS packages pull in the rest; `test` is imatest's name. */
const REQUESTED = ['hello', 'kernel-demo', 'capstest', 'test'];

/** `name epoch version release arch`, as compose --json and rpm --qf both can say it. */
const describe5 = (pkg: ComposedPackage) => `${pkg.name} ${pkg.epoch} ${pkg.version} ${pkg.release} ${pkg.arch}`;

describe('the rpmdb of a composed tree', function () {
  this.timeout(180000);
  let work: string;
  let repoDir: string;
  let rpms: string[];
  let config: string;
  let sysroot: string;
  let composed: ComposedPackage[];
  let commit: string;
  let checkout: string;

  before(async function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'rpm');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpmdb-compose-'));
    repoDir = path.join(work, 'rpms');
    // Beside the built OS packages: rpm's own test packages with file capabilities and IMA
    // signatures, so rpm -V checks capabilities in the deployment too.
    fs.mkdirSync(repoDir);
    for (const name of REAL_PACKAGES) fs.copyFileSync(path.join(REPO_ROOT, 'test/fixtures/rpmdb', name), path.join(repoDir, name));
    rpms = buildTestRepo(repoDir, OS_PACKAGES, path.join(work, 'build'));
    config = writeConfig(work);
    // Composed straight into a sysroot's repo, so the same commit is deployed below.
    sysroot = path.join(work, 'sysroot');
    arborOk(config, 'sysroot', 'init', sysroot, '--stateroot', 'os');
    const treefile = path.join(work, 'tree.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [repoDir], packages: REQUESTED, scriptlets: false }));
    const result = arborOk(config, 'compose', 'tree', treefile, '--repo', path.join(sysroot, 'arbor/repo'), '--json').json<{ commit: string; packages: ComposedPackage[] }>();
    composed = result.packages;
    commit = result.commit;
    checkout = path.join(work, 'checkout');
    arborOk(config, 'checkout', '--repo', path.join(sysroot, 'arbor/repo'), REF, checkout);
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The package file compose installed for a package. */
  const packageFile = (name: string) => {
    const pkg = composed.find((candidate) => candidate.name === name)!;
    if (name === 'test') return path.join(repoDir, 'imatest-1.0-1.fc34.noarch.rpm');
    return path.join(repoDir, `${pkg.name}-${pkg.version}-${pkg.release}.${pkg.arch}.rpm`);
  };
  const listed = (root: string) => rpmIn(root, '-qa', '--qf', '%{NAME} %{EPOCHNUM} %{VERSION} %{RELEASE} %{ARCH}\\n').split('\n').filter(Boolean).sort();
  /** Every path a package lists, per Debian's rpm reading the package file itself. */
  const filesOf = (name: string) => execFileSync('rpm', ['-qlp', packageFile(name)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  const underMoved = (file: string) => /^\/(etc|var)(\/|$)/.test(file);

  it('lists exactly the composed packages, with the NEVRA compose reports and the commit metadata keeps', () => {
    assert.equal(composed.length, 7);
    assert.deepEqual(listed(checkout), composed.map(describe5).sort());
    const metadata = showCommit(path.join(sysroot, 'arbor/repo'), commit).metadata;
    // The commit metadata keeps its own package list beside the rpmdb (arbor db list reads it).
    assert.deepEqual((metadata['arbor.compose.packages'] as ComposedPackage[]).map(describe5).sort(), composed.map(describe5).sort());
  });

  it('answers rpm -qi, -ql and -qf for every package and every file it installed', () => {
    const info = rpmIn(checkout, '-qi', 'hello');
    assert.match(info, /^Name {8}: hello$/m);
    assert.match(info, /^Version {5}: 2\.12$/m);
    assert.match(info, /^Release {5}: 3$/m);
    assert.match(info, /^Install Date: /m);
    for (const pkg of composed) {
      const files = filesOf(pkg.name);
      assert.deepEqual(rpmIn(checkout, '-ql', pkg.name).split('\n').filter(Boolean), files, `rpm -ql ${pkg.name}`);
      for (const file of files) {
        if (underMoved(file)) continue;
        // A directory two packages list (none here) would name both; each file names its package.
        assert.equal(rpmIn(checkout, '-qf', file).trim(), `${pkg.name}-${pkg.version}-${pkg.release}.${pkg.arch}`, `rpm -qf ${file}`);
      }
    }
  });

  it('takes its transaction time from the packages, so two composes write the same bytes', async () => {
    // No SOURCE_DATE_EPOCH here: the time is the newest BUILDTIME, each package one second on.
    const times = rpmIn(checkout, '-qa', '--qf', '%{INSTALLTID} %{INSTALLTIME} %{BUILDTIME} %{DBINSTANCE}\\n').split('\n').filter(Boolean).map((line) => line.split(' ').map(Number));
    const newest = Math.max(...times.map(([, , build]) => build!));
    for (const [tid, installed, , hnum] of times) {
      assert.equal(tid, newest);
      assert.equal(installed, newest + hnum! - 1);
    }
    const treefile = path.join(work, 'tree-again.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [repoDir], packages: REQUESTED, scriptlets: false }));
    const other = initRepo(path.join(work, 'other-repo'));
    const run = await arborOkAsync(config, 'compose', 'tree', treefile, '--repo', other, '--json');
    const again = path.join(work, 'checkout-again');
    arborOk(config, 'checkout', '--repo', other, run.json<{ commit: string }>().commit, again);
    assert.ok(fs.readFileSync(path.join(again, DB)).equals(fs.readFileSync(path.join(checkout, DB))));
  });

  it('reports, before deploy, only what the postprocess moved and the mtimes the store does not keep', () => {
    // /etc went to /usr/etc and /var's content to tmpfiles.d lines: rpm finds them missing.
    const moved = composed.flatMap((pkg) => filesOf(pkg.name)).filter((file) => underMoved(file) && !fs.existsSync(path.join(checkout, file))).sort();
    assert.ok(moved.includes('/etc/hello.conf') && moved.includes('/var/lib/hello') && moved.includes('/var/lib/hello-current'));
    const { other: report, modes } = splitModeLines(rpmVerify(checkout, '--nomtime', '-a'));
    assert.deepEqual(report.map((line) => line.replace(/^missing +/, '')).sort(), moved);
    assert.deepEqual(modes, worldWritable(checkout), 'only the files packages ship world-writable differ in mode: the store strips o+w');
    // With mtimes checked: every regular file outside them shows T (stored mtimes are 0), nothing else.
    const timed = splitModeLines(rpmVerify(checkout, '-a').filter((line) => !line.startsWith('missing'))).other;
    const writable = new Set(worldWritable(checkout));
    assert.deepEqual(timed.map((line) => line.replace(/^\.{7}T\. {2}[ cd] /, '')).sort(), regularFilesOutsideMoved(checkout).filter((file) => !writable.has(file)));
  });

  it('is read by rpm in the deployment after arbor deploy, clean but for mtimes once tmpfiles has made /var', function () {
    requireRoot(this);
    arborOk(config, 'deploy', REF, '--sysroot', sysroot);
    const deployment = path.join(sysroot, 'arbor/deploy/os/deploy', `${commit}.0`);
    assert.deepEqual(listed(deployment), composed.map(describe5).sort());
    assert.equal(rpmIn(deployment, '-qf', '/etc/hello.conf').trim(), 'hello-2.12-3.noarch');
    assert.equal(rpmIn(deployment, '-qf', '/usr/lib/modules/6.1.0-1.demo/vmlinuz').trim(), 'kernel-demo-6.1.0-1.noarch');
    // The deployment's etc/ is a copy of usr/etc: only /var's entries are missing until boot.
    const varEntries = composed.flatMap((pkg) => filesOf(pkg.name)).filter((file) => file.startsWith('/var/')).sort();
    assert.deepEqual(splitModeLines(rpmVerify(deployment, '--nomtime', '-a')).other.map((line) => line.replace(/^missing +/, '')).sort(), varEntries);
    requireTool(this, 'systemd-tmpfiles');
    // What boot does: systemd-tmpfiles makes /var from the lines compose wrote; rpm then finds
    // every mode, owner, group, link target, digest and file capability (capstest's) as the
    // packages say.
    execFileSync('systemd-tmpfiles', [`--root=${deployment}`, '--create', path.join(deployment, 'usr/lib/tmpfiles.d/arbor-autovar.conf')], { stdio: 'pipe' });
    const after = splitModeLines(rpmVerify(deployment, '--nomtime', '-a'));
    assert.deepEqual(after.other, []);
    assert.deepEqual(after.modes, worldWritable(deployment));
    const writable = new Set(worldWritable(deployment));
    const timed = splitModeLines(rpmVerify(deployment, '-a')).other;
    assert.ok(timed.every((line) => /^\.{7}T\. /.test(line)), timed.join('\n'));
    assert.equal(timed.length, regularFilesOutsideMoved(deployment).filter((file) => !writable.has(file)).length + composed.flatMap((pkg) => filesOf(pkg.name)).filter((file) => file.startsWith('/etc/') && isRegular(deployment, file)).length);
  });

  it('writes no rpmdb when the rpm plugin is given rpmdb: false', () => {
    const noDb = path.join(work, 'no-db.config.json');
    fs.writeFileSync(noDb, JSON.stringify({ preset: 'default', plugins: [['rpm', { rpmdb: false }], 'rpm-md', 'postprocess'] }));
    const treefile = path.join(work, 'tree-no-db.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [repoDir], packages: ['greeting'], scriptlets: false }));
    const repo = initRepo(path.join(work, 'no-db-repo'));
    const result = arborOk(noDb, 'compose', 'tree', treefile, '--repo', repo, '--json').json<{ commit: string }>();
    const tree = path.join(work, 'no-db-checkout');
    arborOk(noDb, 'checkout', '--repo', repo, result.commit, tree);
    assert.ok(fs.existsSync(path.join(tree, 'usr/share/greeting/text')));
    assert.ok(!fs.existsSync(path.join(tree, 'usr/lib/sysimage')));
    assert.throws(() => rpmPlugin({ rpmdb: 'no' } as never), /rpmdb/);
    const bad = runArbor(['plugins', '--config', writeBadConfig(work)]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /rpmdb/);
  });

  /** Regular files the packages own outside /etc and /var, as the tree has them. */
  function regularFilesOutsideMoved(root: string): string[] {
    return composed.flatMap((pkg) => filesOf(pkg.name)).filter((file) => !underMoved(file) && isRegular(root, file)).sort();
  }
});

/** Regular files a package ships with o+w, which the store commits without it (docs/hardening.md). */
function worldWritable(root: string): string[] {
  return rpmIn(root, '-qa', '--qf', '[%{FILEMODES} %{FILENAMES}\\n]').trim().split('\n')
    .map((line) => line.split(' ') as [string, string])
    .filter(([mode]) => (Number(mode) & 0o170000) === 0o100000 && (Number(mode) & 0o002) !== 0)
    .map(([, file]) => file).sort();
}

/** rpm -V lines whose only finding is the mode (M), apart from the rest. */
function splitModeLines(lines: string[]): { modes: string[]; other: string[] } {
  const modes = lines.filter((line) => /^\.M[.T]{7} {2}[ cd] /.test(line));
  return { modes: modes.map((line) => line.replace(/^\S+ {2}[ cd] /, '')).sort(), other: lines.filter((line) => !modes.includes(line)) };
}

function isRegular(root: string, file: string): boolean {
  const stat = fs.lstatSync(path.join(root, file), { throwIfNoEntry: false });
  return stat?.isFile() ?? false;
}

function writeBadConfig(dir: string): string {
  const file = path.join(dir, 'bad.config.json');
  fs.writeFileSync(file, JSON.stringify({ preset: 'default', plugins: [['rpm', { rpmdb: 'no' }]] }));
  return file;
}
