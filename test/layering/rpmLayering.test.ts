import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeploymentStatus, SysrootStatus } from '@arbor/core/sysroot';
import { arbor, arborOk, writeConfig } from '../compose/composeFixture';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { rpmIn } from '../rpmdb/specRpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { ARBOR_BIN } from '../support/runArbor';

const REF = 'os/x86_64';

/** The base OS, version by version: what v2, v3 and v4 change is spelled out below. */
function basePackages(extraRepo: string, version: 1 | 2 | 3 | 4): TestPackage[] {
  const libfoo = version === 1 ? '1.0' : '1.1';
  return [
    {
      name: 'filesystem', version: '3.18',
      files: {
        '/etc': { dir: true }, '/usr': { dir: true }, '/usr/bin': { dir: true }, '/usr/share': { dir: true }, '/var': { dir: true },
        '/bin': { symlink: 'usr/bin' },
        '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
        '/etc/group': 'root:x:0:\n',
        '/etc/shells': '/bin/sh\n',
        '/etc/os-release': `NAME="Layer OS"\nPRETTY_NAME="Layer OS v${version}"\nVERSION="${version}"\n`,
        // The repo the admin layers from, as a distribution ships its .repo files.
        '/etc/yum.repos.d/extra.repo': `[extra]\nname=Extra\nbaseurl=file://${extraRepo}\nenabled=1\ngpgcheck=0\n`,
      },
    },
    { name: 'shell', version: '1.36', requires: ['filesystem'], provides: ['/bin/sh'], hostFiles: { '/usr/bin/sh': '/usr/bin/busybox' } },
    { name: 'libfoo', version: libfoo, requires: ['filesystem'], files: { '/usr/share/libfoo/data': `foo ${libfoo}\n` } },
    { name: 'app', version: libfoo, requires: ['libfoo', 'filesystem'], files: { '/usr/bin/app': { content: '#!/bin/sh\necho app\n', mode: 0o755 } } },
    { name: 'kernel-demo', version: '6.1.0', release: '1', files: { '/usr/lib/modules/6.1.0-1.demo/vmlinuz': 'not really a kernel\n', '/usr/lib/modules/6.1.0-1.demo/initramfs.img': 'not really an initramfs\n' } },
    // v3 ships the package layered so far; v4 ships one that conflicts with a layered one.
    ...(version >= 3 ? EXTRA_PACKAGES : []),
    ...(version === 4 ? [{ name: 'blocker', version: '1.0', conflicts: ['localtool'], files: { '/usr/share/blocker': 'x\n' } }] : []),
  ];
}

/** What the deployment's repo offers: a package with a %post and a dependency the base lacks. */
const EXTRA_PACKAGES: TestPackage[] = [
  {
    name: 'tool', version: '2.0', release: '3', requires: ['extralib', '/bin/sh'],
    files: { '/usr/bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o755 }, '/usr/share/tool/readme': 'tool\n' },
    scripts: { post: 'echo /usr/bin/tool >> /etc/shells\necho "post $1" > /usr/share/tool/post-ran' },
  },
  { name: 'extralib', version: '1.1', files: { '/usr/share/extralib/lib': 'lib\n' } },
];

/** Package files given by path: a newer libfoo to replace the base's, and a new package. */
const LOCAL_PACKAGES: TestPackage[] = [
  { name: 'libfoo', version: '2.0', requires: ['filesystem'], files: { '/usr/share/libfoo/data': 'foo 2.0\n' } },
  { name: 'localtool', version: '0.9', requires: ['extralib'], files: { '/usr/share/localtool/readme': 'local\n' } },
];

/**
 * Issue 18's acceptance, end to end through the CLI with the fedora preset: real RPMs built
 * with rpmbuild, bases composed into the sysroot's repo, the rpm plugin's layer tap, Debian's
 * rpm as the oracle on the deployments.
 */
describe('RPM layering end to end: install, upgrade, inactive requests, conflicts, overrides', function () {
  this.timeout(300_000);
  let work: string;
  let config: string;
  let sysroot: string;
  let extraRepo: string;
  let local: string[];

  const sys = (...args: string[]) => arborOk(config, ...args, '--sysroot', sysroot);
  const status = (): DeploymentStatus[] => sys('status', '--json').json<SysrootStatus>().deployments;
  const defaultOne = (): DeploymentStatus => status().find((deployment) => deployment.index === 0)!;
  const names = (root: string) => rpmIn(root, '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\\n').split('\n').filter(Boolean).sort();
  /** Composes base `version` into the sysroot's repo as the next commit of REF. */
  const composeBase = (version: 1 | 2 | 3 | 4): string => {
    const repo = path.join(work, `base-v${version}`);
    buildTestRepo(repo, basePackages(extraRepo, version), path.join(work, `build-v${version}`));
    const treefile = path.join(work, `v${version}.json`);
    const packages = basePackages(extraRepo, version).map((pkg) => pkg.name);
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [repo], packages, metadata: { version: String(version) } }));
    return arborOk(config, 'compose', 'tree', treefile, '--repo', path.join(sysroot, 'arbor', 'repo'), '--json').json<{ commit: string }>().commit;
  };

  before(function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'rpm', 'bwrap', 'busybox');
    requireRoot(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-layering-'));
    config = writeConfig(work);
    sysroot = path.join(work, 'sysroot');
    extraRepo = path.join(work, 'extra');
    buildTestRepo(extraRepo, EXTRA_PACKAGES, path.join(work, 'build-extra'));
    local = buildTestRepo(path.join(work, 'local'), LOCAL_PACKAGES, path.join(work, 'build-local'));
    arborOk(config, 'sysroot', 'init', sysroot, '--stateroot', 'os');
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('layers, upgrades, turns a request inactive, refuses a conflict, and keeps and resets overrides', () => {
    const v1 = composeBase(1);
    sys('deploy', REF);

    // install: the package, its dependency from the repo, and its %post, in a commit on the base.
    const installed = sys('install', 'tool', '--json').json<{ deployed: { commit: string; path: string; base: string } }>().deployed;
    assert.equal(installed.base, v1);
    const deployment = installed.path;
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/bin/tool'), 'utf8'), '#!/bin/sh\necho tool\n');
    assert.equal(fs.readFileSync(path.join(deployment, 'usr/share/tool/post-ran'), 'utf8'), 'post 1\n');
    assert.equal(fs.readFileSync(path.join(deployment, 'etc/shells'), 'utf8'), '/bin/sh\n/usr/bin/tool\n');
    assert.equal(rpmIn(deployment, '-q', 'tool').trim(), 'tool-2.0-3.noarch');
    assert.equal(rpmIn(deployment, '-qf', '/usr/share/extralib/lib').trim(), 'extralib-1.1-1.noarch');
    assert.deepEqual(defaultOne().layered, ['tool']);
    assert.match(sys('status').stdout, /LayeredPackages: tool\n/);

    // upgrade to v2: the layer is applied again, and rpm sees the v2 base plus the layer.
    const v2 = composeBase(2);
    const upgraded = sys('upgrade', '--json').json<{ deployed: { path: string; base: string } }>().deployed;
    assert.equal(upgraded.base, v2);
    assert.deepEqual(names(upgraded.path), ['app-1.1-1', 'extralib-1.1-1', 'filesystem-3.18-1', 'kernel-demo-6.1.0-1', 'libfoo-1.1-1', 'shell-1.36-1', 'tool-2.0-3']);
    assert.equal(fs.readFileSync(path.join(upgraded.path, 'usr/share/tool/post-ran'), 'utf8'), 'post 1\n');

    // overrides: remove a base package, replace another with a newer local build.
    sys('override', 'remove', 'app');
    const replaced = sys('override', 'replace', local[0]!, '--json').json<{ deployed: { path: string } }>().deployed;
    assert.deepEqual(names(replaced.path), ['extralib-1.1-1', 'filesystem-3.18-1', 'kernel-demo-6.1.0-1', 'libfoo-2.0-1', 'shell-1.36-1', 'tool-2.0-3']);
    assert.ok(!fs.existsSync(path.join(replaced.path, 'usr/bin/app')));
    assert.deepEqual(defaultOne().removed, ['app-1.1-1.noarch']);
    assert.deepEqual(defaultOne().replaced, [{ from: 'libfoo-1.1-1.noarch', to: 'libfoo-2.0-1.noarch' }]);

    // v3 ships tool in the base: the request becomes inactive, and the overrides survive.
    const v3 = composeBase(3);
    const third = sys('upgrade', '--json').json<{ deployed: { path: string; base: string } }>().deployed;
    assert.equal(third.base, v3);
    const afterV3 = defaultOne();
    assert.deepEqual(afterV3.inactive, ['tool']);
    assert.deepEqual(afterV3.layered, ['tool'], 'the request is kept in the origin');
    assert.match(sys('status').stdout, /Inactive requests: tool/);
    assert.deepEqual(names(third.path), ['extralib-1.1-1', 'filesystem-3.18-1', 'kernel-demo-6.1.0-1', 'libfoo-2.0-1', 'shell-1.36-1', 'tool-2.0-3']);

    // override reset --all undoes both overrides.
    const reset = sys('override', 'reset', '--all', '--json').json<{ deployed: { path: string } }>().deployed;
    assert.deepEqual(names(reset.path), ['app-1.1-1', 'extralib-1.1-1', 'filesystem-3.18-1', 'kernel-demo-6.1.0-1', 'libfoo-1.1-1', 'shell-1.36-1', 'tool-2.0-3']);

    // A layered package that conflicts with the next base fails the upgrade; nothing changes.
    sys('install', local[1]!);
    const before = sys('status', '--json').json<SysrootStatus>();
    composeBase(4);
    const failed = arbor(config, 'upgrade', '--sysroot', sysroot);
    assert.equal(failed.status, 1, failed.stderr);
    assert.match(failed.stderr, /^Error: .*(blocker|localtool).*(blocker|localtool)/);
    assert.equal(failed.stderr.trim().split('\n').filter((line) => line.startsWith('Error:')).length, 1);
    assert.deepEqual(sys('status', '--json').json<SysrootStatus>(), before, 'the old default stays the default');

    // A package installed from a file is uninstalled by its name too; then the upgrade goes through.
    const unlayered = sys('uninstall', 'localtool', '--json').json<{ deployed: { path: string } }>().deployed;
    assert.ok(!names(unlayered.path).some((nevr) => nevr.startsWith('localtool-')));
    const v4 = sys('upgrade', '--json').json<{ deployed: { path: string; base: string } }>().deployed;
    assert.ok(names(v4.path).includes('blocker-1.0-1'));
  });

  it('a kill -9 at any point of an RPM install or uninstall leaves every boot entry on a complete deployment whose rpmdb answers', async () => {
    // A sysroot of its own, on base v1, with the real tap: rpmdb rewrite, overlay, scriptlets.
    sysroot = path.join(work, 'sysroot-kill');
    arborOk(config, 'sysroot', 'init', sysroot, '--stateroot', 'os');
    composeBase(1);
    sys('deploy', REF);
    const change = (): string[] => (defaultOne().layered.includes('tool') ? ['uninstall', 'tool'] : ['install', 'tool']);
    const run = async (args: string[], killAfter?: number): Promise<{ killed: boolean; ms: number }> => {
      const started = Date.now();
      const child = spawn(process.execPath, [ARBOR_BIN, ...args, '--sysroot', sysroot, '--config', config], { stdio: 'ignore' });
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      if (killAfter !== undefined) {
        const timer = setTimeout(() => child.kill('SIGKILL'), killAfter);
        await exit;
        clearTimeout(timer);
      }
      const code = await exit;
      if (killAfter === undefined) assert.equal(code, 0, `arbor ${args.join(' ')}`);
      return { killed: child.signalCode === 'SIGKILL', ms: Date.now() - started };
    };
    /** Each entry's arbor= names a deployment with its tree, origin and an rpmdb rpm can read; its kernel is in /boot. */
    const assertBootable = (context: string): void => {
      const entries = path.join(sysroot, 'boot', 'loader', 'entries');
      const names = fs.readdirSync(entries).filter((name) => name.endsWith('.conf'));
      assert.ok(names.length >= 1, `${context}: boot entries remain`);
      for (const name of names) {
        const text = fs.readFileSync(path.join(entries, name), 'utf8');
        const deployment = fs.realpathSync(path.join(sysroot, /arbor=(\S+)/.exec(text)![1]!));
        for (const needed of ['usr/lib/sysimage/rpm/rpmdb.sqlite', 'etc', '../' + path.basename(deployment) + '.origin']) {
          assert.ok(fs.existsSync(path.join(deployment, needed)), `${context}: ${name} -> ${deployment} lacks ${needed}`);
        }
        assert.ok(rpmIn(deployment, '-qa').includes('filesystem-'), `${context}: ${name}: rpm -qa reads the rpmdb`);
        assert.ok(fs.existsSync(path.join(sysroot, 'boot', /^linux\s+(\S+)/m.exec(text)![1]!)), `${context}: ${name}: kernel in /boot`);
      }
    };
    const full = await run(change());
    let killed = 0;
    for (let round = 0; round < 4; round++) {
      const point = Math.round(((round + 0.5) / 4) * full.ms);
      const args = change();
      if ((await run(args, point)).killed) killed++;
      assertBootable(`kill ${round} at ${point} ms of ${full.ms} (${args.join(' ')})`);
      // The next change goes through, and what the default deployment asks for is what it has.
      await run(change());
      assertBootable(`after kill ${round}`);
      const current = defaultOne();
      assert.equal(fs.existsSync(path.join(current.path, 'usr/bin/tool')), current.layered.includes('tool'));
    }
    assert.ok(killed >= 2, `most kills land inside the command (${killed} of 4)`);
  });
});
