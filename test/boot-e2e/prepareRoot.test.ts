import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { ARBOR_BIN, REPO_ROOT, runArbor } from '../support/runArbor';
import { removeTree, useTempDir, writeTree } from '../support/tempDir';
import { PREPARE_ROOT } from './TestInitramfs';

interface Sysroot {
  root: string;
  /** The deployments, default first: their directory names. */
  deployments: string[];
  /** The arbor= argument of each boot entry, default first. */
  links: string[];
}

function arborOk(...args: string[]): string {
  const run = runArbor(args);
  if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** A sysroot with two deployments (v2 the default, v1 the rollback), made with the CLI. */
function makeSysroot(dir: string): Sysroot {
  const root = path.join(dir, 'sysroot');
  arborOk('sysroot', 'init', root, '--stateroot', 'os');
  for (const version of ['1', '2']) {
    const tree = path.join(dir, `tree-${version}`);
    writeTree(tree, {
      'usr/lib/modules/6.1.0-test/vmlinuz': 'a kernel\n',
      'usr/lib/os-release': `NAME=Test\nVERSION=${version}\n`,
      'usr/etc/marker': `marker of v${version}\n`,
      // Outside /usr, checked out as hardlinks of store objects all the same.
      'opt/app/file': `app file of v${version}\n`,
    });
    // Merged /usr, as real trees have it: node, run inside the new root, finds its loader there.
    fs.symlinkSync('usr/lib', path.join(tree, 'lib'));
    fs.symlinkSync('usr/lib64', path.join(tree, 'lib64'));
    const commit = arborOk('commit', '--repo', path.join(root, 'arbor', 'repo'), '--branch', 'os/x86_64', '--tree', tree).trim();
    arborOk('deploy', commit, '--sysroot', root, '--karg', 'root=/dev/never-used');
  }
  const status = JSON.parse(arborOk('status', '--sysroot', root, '--json')) as { deployments: { path: string }[] };
  const entries = fs.readdirSync(path.join(root, 'boot', 'loader', 'entries')).sort().reverse();
  const links = entries.map((entry) => /arbor=(\S+)/.exec(fs.readFileSync(path.join(root, 'boot', 'loader', 'entries', entry), 'utf8'))![1]!);
  return { root, deployments: status.deployments.map((deployment) => path.basename(deployment.path)), links };
}

interface PrepareRun {
  status: number;
  stderr: string;
  stdout: string;
}

/**
 * Runs arbor-prepare-root under busybox in a private mount namespace, against the sysroot bind
 * mounted at `mnt` as an initramfs would have mounted the root, then `after` (shell) in the
 * same namespace to look at what it built.
 */
function prepareRoot(dir: string, sysroot: string, cmdline: string, after = '', shell = 'busybox sh'): PrepareRun {
  const mnt = path.join(dir, 'mnt');
  const newroot = path.join(dir, 'newroot');
  fs.mkdirSync(mnt, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cmdline'), `${cmdline}\n`);
  const script = [
    'set -e',
    `mount --bind "${sysroot}" "${mnt}"`,
    `ARBOR_CMDLINE="${dir}/cmdline" ARBOR_NEWROOT="${newroot}" ${shell} "${PREPARE_ROOT}" "${mnt}" || exit $?`,
    after,
  ].join('\n');
  const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8' });
  return { status: run.status ?? -1, stderr: run.stderr, stdout: run.stdout };
}

/** The one line a failure prints (plus nothing else). */
function failureLine(run: PrepareRun): string {
  assert.equal(run.status, 1, `exit status 1, got ${run.status}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  return lines[0]!;
}

describe('arbor-prepare-root (in a private mount namespace, under busybox)', function () {
  this.timeout(120_000);
  const temp = useTempDir('arbor-prepare-root-');
  let sysroot: Sysroot;
  let scratch: string;
  let template: { dir: string; sysroot: Sysroot } | undefined;

  before(function () {
    requireRoot(this);
    requireTool(this, 'busybox', 'unshare', 'bwrap');
    // The CLI makes the sysroot once; each test gets its own copy (cp -a keeps modes, owners,
    // xattrs, symlinks and the hardlinks between the repo and the deployments), so the tests
    // that edit or break it never see another's changes. The sysroot holds no absolute path.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-prepare-root-template-'));
    template = { dir, sysroot: makeSysroot(dir) };
  });

  after(() => {
    if (template) removeTree(template.dir);
  });

  beforeEach(function () {
    scratch = temp();
    execFileSync('cp', ['-a', template!.sysroot.root, path.join(scratch, 'sysroot')]);
    sysroot = { ...template!.sysroot, root: path.join(scratch, 'sysroot') };
  });

  it('mounts the deployment arbor= links to as the root, read-only: with read-only /usr, writable /etc, the stateroot /var, the physical root at /sysroot', function () {
    const mnt = path.join(scratch, 'mnt');
    const run = prepareRoot(scratch, sysroot.root, `BOOT_IMAGE=/x root=/dev/never-used ro ${`arbor=${sysroot.links[1]}`} quiet`, [
      `cat "${mnt}/etc/marker"`,
      `grep " ${mnt}" /proc/self/mountinfo | cut -d" " -f4-6`,
      `touch "${mnt}/usr/new-file" 2>/dev/null && echo usr-writable || echo usr-read-only`,
      `echo counted > "${mnt}/var/counter"`,
      `echo edited > "${mnt}/etc/marker"`,
      `readlink "${mnt}/arbor"`,
    ].join('\n'));
    assert.equal(run.status, 0, run.stderr);
    const deployment = `arbor/deploy/os/deploy/${sysroot.deployments[1]}`;
    assert.match(run.stderr, new RegExp(`^arbor-prepare-root: booting /${deployment.replace(/\./g, '\\.')}\\n$`));
    const [marker, ...rest] = run.stdout.trim().split('\n');
    assert.equal(marker, 'marker of v1');
    const mounts = rest.slice(0, -2).map((line) => line.split(' ').slice(0, 2).join(' ') + (/(^|,)ro(,|$)/.test(line.split(' ')[2]!) ? ' ro' : ' rw'));
    const src = sysroot.root;
    assert.deepEqual(mounts.sort(), [
      `${src} ${mnt}/sysroot rw`,
      `${src}/${deployment} ${mnt} ro`,
      `${src}/${deployment}/usr ${mnt}/usr ro`,
      `${src}/${deployment}/etc ${mnt}/etc rw`,
      `${src}/arbor/deploy/os/var ${mnt}/var rw`,
      `${src}/boot ${mnt}/boot rw`,
    ].sort());
    assert.deepEqual(rest.slice(-2), ['usr-read-only', 'sysroot/arbor']);
    assert.equal(fs.readFileSync(path.join(sysroot.root, 'arbor/deploy/os/var/counter'), 'utf8'), 'counted\n');
    assert.equal(fs.readFileSync(path.join(sysroot.root, deployment, 'etc/marker'), 'utf8'), 'edited\n');
  });

  it('refuses a stray write anywhere outside /etc and /var, so the store\'s hardlinked objects stay intact', function () {
    const mnt = path.join(scratch, 'mnt');
    const deployment = path.join(sysroot.root, 'arbor/deploy/os/deploy', sysroot.deployments[0]!);
    // opt/app/file is a hardlink of its store object: a write through it would corrupt the store.
    assert.ok(fs.statSync(path.join(deployment, 'opt/app/file')).nlink >= 2, 'the file outside /usr is a hardlink of a store object');
    const attempts = {
      'append to /opt/app/file': `echo stray >> "${mnt}/opt/app/file"`,
      'truncate /opt/app/file': `: > "${mnt}/opt/app/file"`,
      'a new top-level file': `touch "${mnt}/stray-write"`,
      'a new file in /opt/app': `touch "${mnt}/opt/app/stray-write"`,
      'a new directory under /': `mkdir "${mnt}/stray-dir"`,
      'remove /opt/app/file': `rm -f "${mnt}/opt/app/file"`,
    };
    const run = prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[0]}`, Object.entries(attempts)
      .map(([what, command]) => `if (${command}) 2>/dev/null; then echo "${what}: succeeded"; else echo "${what}: refused"; fi`).join('\n'));
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), Object.keys(attempts).map((what) => `${what}: refused`));
    assert.equal(fs.readFileSync(path.join(deployment, 'opt/app/file'), 'utf8'), 'app file of v2\n');
    assert.ok(!fs.existsSync(path.join(deployment, 'stray-write')) && !fs.existsSync(path.join(deployment, 'stray-dir')));
    const fsck = JSON.parse(arborOk('fsck', '--repo', path.join(sysroot.root, 'arbor', 'repo'), '--json')) as { checked: number; corrupt: unknown[]; missing: unknown[] };
    assert.deepEqual({ corrupt: fsck.corrupt, missing: fsck.missing }, { corrupt: [], missing: [] });
    assert.ok(fsck.checked > 0, 'fsck checked the store');
  });

  it('creates the mount points the OS needs in the deployment before making it read-only', function () {
    const mnt = path.join(scratch, 'mnt');
    const run = prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[0]}`,
      `for dir in dev proc sys run tmp var sysroot boot etc; do [ -d "${mnt}/$dir" ] && [ ! -L "${mnt}/$dir" ] && echo "$dir"; done`);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['dev', 'proc', 'sys', 'run', 'tmp', 'var', 'sysroot', 'boot', 'etc']);
  });

  it('runs the same under dash, a POSIX sh without busybox\'s extensions', function () {
    requireTool(this, 'dash');
    const run = prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[0]}`, `cat "${scratch}/mnt/etc/marker"`, 'dash');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'marker of v2\n');
  });

  it('accepts arbor=/arbor/deploy/<stateroot>/deploy/<commit>.<serial> as well', function () {
    const run = prepareRoot(scratch, sysroot.root, `arbor=/arbor/deploy/os/deploy/${sysroot.deployments[0]} root=/dev/x`, `cat "${scratch}/mnt/etc/marker"`);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'marker of v2\n');
  });

  /** Where the repo (the arbor CLI) is seen inside the new root: under its tmpfs /tmp. */
  const INSIDE_REPO = '/tmp/arbor-repo';

  /**
   * A command run on the booted system, as far as Node can see: the new root as /, with the
   * host's /usr (for node itself) over the deployment's.
   */
  function inside(mnt: string, ...args: string[]): string {
    return [
      'bwrap', '--bind', mnt, '/', '--ro-bind', '/usr', '/usr', '--ro-bind', '/usr/lib64', '/lib64', '--ro-bind', '/usr/lib', '/lib', '--unsetenv', 'NODE_EXTRA_CA_CERTS',
      // As the finalize unit runs: a system service has no HOME or SHELL, and this tree no passwd.
      '--unsetenv', 'HOME', '--unsetenv', 'SHELL',
      // The new root is read-only, so the repo can only be seen at a path made in the tmpfs /tmp.
      '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--ro-bind', REPO_ROOT, INSIDE_REPO,
      '/usr/bin/node', path.join(INSIDE_REPO, path.relative(REPO_ROOT, ARBOR_BIN)), ...args,
    ].join(' ');
  }

  it('lets `arbor status` inside the new root mark the deployment it booted, found by matching /', function () {
    const mnt = path.join(scratch, 'mnt');
    const run = prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[1]}`, `${inside(mnt, 'status', '--sysroot', '/', '--json')}\necho ---\n${inside(mnt, 'status', '--sysroot', '/sysroot', '--json')}`);
    assert.equal(run.status, 0, run.stderr);
    for (const json of run.stdout.split('---\n')) {
      const status = JSON.parse(json) as { deployments: { path: string; booted: boolean; default: boolean }[] };
      assert.deepEqual(status.deployments.map((deployment) => [path.basename(deployment.path), deployment.default, deployment.booted]), [
        [sysroot.deployments[0], true, false],
        [sysroot.deployments[1], false, true],
      ]);
    }
    // On the host, no deployment is `/`.
    const host = JSON.parse(arborOk('status', '--sysroot', sysroot.root, '--json')) as { deployments: { booted: boolean }[] };
    assert.deepEqual(host.deployments.map((deployment) => deployment.booted), [false, false]);
  });

  it('lets a staged deploy finalize on the booted system, merging the /etc of the deployment that booted', function () {
    const mnt = path.join(scratch, 'mnt');
    const status = JSON.parse(arborOk('status', '--sysroot', sysroot.root, '--json')) as { deployments: { commit: string }[] };
    const v2 = status.deployments[0]!.commit;
    // Booted: v1 (the rollback entry). The admin edits /etc on the running system, then stages
    // v2 again and the shutdown unit's command finalizes it.
    const run = prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[1]}`, [
      `echo "edited on the running v1" > "${mnt}/etc/marker"`,
      inside(mnt, 'deploy', v2, '--stage', '--sysroot', '/'),
      inside(mnt, 'finalize', '--sysroot', '/', '--json'),
    ].join('\n'));
    assert.equal(run.status, 0, run.stderr);
    const after = JSON.parse(arborOk('status', '--sysroot', sysroot.root, '--json')) as { deployments: { commit: string; serial: number; path: string }[] };
    assert.deepEqual(after.deployments.map((deployment) => `${deployment.commit}.${deployment.serial}`), [`${v2}.1`, sysroot.deployments[0], sysroot.deployments[1]]);
    assert.equal(fs.readFileSync(path.join(after.deployments[0]!.path, 'etc', 'marker'), 'utf8'), 'edited on the running v1\n');
  });

  it('stops with one line when arbor= is missing or malformed', function () {
    assert.equal(failureLine(prepareRoot(scratch, sysroot.root, 'root=/dev/x quiet')),
      'arbor-prepare-root: no arbor= on the kernel command line: which deployment to boot is unknown');
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/ostree/boot.0/x/y/0')),
      /^arbor-prepare-root: arbor=\/ostree\/boot\.0\/x\/y\/0 is not \/arbor\/boot\.<B>/);
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/arbor/boot.1/os/0123/0')),
      /^arbor-prepare-root: arbor=\/arbor\/boot\.1\/os\/0123\/0: \/arbor\/boot\.1\.0\/os\/0123 does not exist on the root filesystem$/);
  });

  it('never follows a link out of the root filesystem', function () {
    const evil = path.join(sysroot.root, 'arbor', 'boot.0.0', 'os', 'evil');
    fs.mkdirSync(evil, { recursive: true });
    fs.symlinkSync('../../../../../../../../../../..', path.join(evil, '0'));
    fs.symlinkSync('/etc', path.join(evil, '1'));
    fs.symlinkSync('2', path.join(evil, '2'));
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/arbor/boot.0/os/evil/0')), /leads above the root filesystem$/);
    // An absolute target starts again at the physical root, whose /etc does not exist.
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/arbor/boot.0/os/evil/1')), /: \/etc does not exist on the root filesystem$/);
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/arbor/boot.0/os/evil/2')), /too many symlinks \(a loop\?\)/);
    assert.match(failureLine(prepareRoot(scratch, sysroot.root, 'arbor=/arbor/boot.0/os/evil/../../../repo/config')), /resolves to \/arbor\/repo\/config, which is not a deployment/);
  });

  it('refuses an incomplete deployment, naming it', function () {
    const id = sysroot.deployments[0]!;
    const dir = path.join(sysroot.root, 'arbor', 'deploy', 'os', 'deploy', id);
    fs.renameSync(`${dir}.origin`, `${dir}.origin.away`);
    assert.equal(failureLine(prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[0]}`)),
      `arbor-prepare-root: deployment /arbor/deploy/os/deploy/${id} is incomplete: /arbor/deploy/os/deploy/${id}.origin is missing; refusing to boot it`);
    fs.renameSync(`${dir}.origin.away`, `${dir}.origin`);
    fs.rmSync(path.join(dir, 'etc'), { recursive: true });
    assert.equal(failureLine(prepareRoot(scratch, sysroot.root, `arbor=${sysroot.links[0]}`)),
      `arbor-prepare-root: deployment /arbor/deploy/os/deploy/${id} is incomplete: it has no etc/ directory; refusing to boot it`);
  });
});
