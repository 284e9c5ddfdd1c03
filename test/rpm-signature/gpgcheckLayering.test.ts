import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SysrootStatus } from '@arbor/core/sysroot';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { arbor, arborOk, arborOkAsync, writeConfig } from '../compose/composeFixture';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { rpmIn } from '../rpmdb/specRpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { removeTree } from '../support/tempDir';
import { SigningKit } from './SigningKit';

const REF = 'os/x86_64';
const KEY_PATH = '/etc/pki/rpm-gpg/RPM-GPG-KEY-arbor-test';

/** The base: its filesystem package ships the repo's key and a .repo file with gpgcheck=1, as a distribution's release package does. */
function basePackages(repo: string, publicKey: string): TestPackage[] {
  return [
    {
      name: 'filesystem', version: '3.18',
      files: {
        '/etc': { dir: true }, '/usr': { dir: true }, '/usr/bin': { dir: true }, '/usr/share': { dir: true }, '/var': { dir: true },
        '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
        '/etc/group': 'root:x:0:\n',
        '/etc/os-release': 'NAME="Signed OS"\nVERSION_ID=1\n',
        [KEY_PATH]: publicKey,
        '/etc/yum.repos.d/signed.repo': `[signed]\nname=Signed\nbaseurl=file://${repo}\ngpgcheck=1\ngpgkey=file://${KEY_PATH}\n`,
      },
    },
    { name: 'kernel-demo', version: '6.1.0', files: { '/usr/lib/modules/6.1.0-1.demo/vmlinuz': 'not really a kernel\n', '/usr/lib/modules/6.1.0-1.demo/initramfs.img': 'not really an initramfs\n' } },
  ];
}

/**
 * dnf's gpgcheck through `arbor install` on a sysroot: a repo with gpgcheck=1 whose gpgkey is
 * a file of the deployment. A package signed by the repo's key is layered; an unsigned one
 * and one signed by another key are refused with one line naming the package, the repo and
 * the key, and the sysroot is left as it was.
 */
describe('gpgcheck=1 when layering: arbor install verifies each package against the repo\'s gpgkey', function () {
  this.timeout(300_000);
  let work: string;
  let kit: SigningKit;
  let config: string;
  let sysroot: string;
  let repo: string;
  let trustedKey: string;

  const sys = (...args: string[]) => arborOk(config, ...args, '--sysroot', sysroot);
  const status = () => sys('status', '--json').json<SysrootStatus>();

  before(function () {
    requireTool(this, 'gpg', 'gpgconf', 'rpmsign', 'rpmbuild', 'createrepo_c', 'rpm');
    requireRoot(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-gpgcheck-'));
    kit = new SigningKit(work);
    const trusted = kit.generateKey('repo', 'ed25519');
    const stranger = kit.generateKey('stranger', 'rsa2048');
    // The repo: packages built, then signed (or not), then indexed, as a distribution publishes them.
    repo = path.join(work, 'signed-repo');
    trustedKey = fs.readFileSync(trusted.publicKey, 'utf8');
    const built = buildTestRepo(path.join(work, 'built'), [
      { name: 'goodtool', version: '1.0', files: { '/usr/share/goodtool/readme': 'signed by the repo key\n' } },
      { name: 'plaintool', version: '1.0', files: { '/usr/share/plaintool/readme': 'not signed\n' } },
      { name: 'straytool', version: '1.0', files: { '/usr/share/straytool/readme': 'signed by another key\n' } },
    ], path.join(work, 'build'));
    fs.mkdirSync(repo);
    kit.sign(built[0]!, path.join(repo, path.basename(built[0]!)), trusted.email);
    fs.copyFileSync(built[1]!, path.join(repo, path.basename(built[1]!)));
    kit.sign(built[2]!, path.join(repo, path.basename(built[2]!)), stranger.email);
    execFileSync('createrepo_c', ['-q', '--simple-md-filenames', repo]);

    config = writeConfig(work);
    sysroot = path.join(work, 'sysroot');
    arborOk(config, 'sysroot', 'init', sysroot, '--stateroot', 'os');
    const baseRepo = path.join(work, 'base-repo');
    const packages = basePackages(repo, fs.readFileSync(trusted.publicKey, 'utf8'));
    buildTestRepo(baseRepo, packages, path.join(work, 'build-base'));
    const treefile = path.join(work, 'base.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [baseRepo], packages: packages.map((pkg) => pkg.name) }));
    arborOk(config, 'compose', 'tree', treefile, '--repo', path.join(sysroot, 'arbor', 'repo'));
    sys('deploy', REF);
  });
  after(() => {
    kit?.close();
    if (work) removeTree(work);
  });

  it('layers a package signed by the repo\'s key', () => {
    const deployed = sys('install', 'goodtool', '--json').json<{ deployed: { path: string } }>().deployed;
    assert.equal(fs.readFileSync(path.join(deployed.path, 'usr/share/goodtool/readme'), 'utf8'), 'signed by the repo key\n');
    assert.equal(rpmIn(deployed.path, '-q', 'goodtool').trim(), 'goodtool-1.0-1.noarch');
  });

  for (const [name, code, says] of [
    ['plaintool', 'ARBOR_RPM_SIGNATURE_MISSING', /plaintool-1\.0-1\.noarch\.rpm from repo \[signed\] \(signed\.repo, gpgcheck=1\): the package is not signed/],
    ['straytool', 'ARBOR_RPM_SIGNATURE_UNKNOWN_KEY', /straytool-1\.0-1\.noarch\.rpm from repo \[signed\] .*signed with key ID [0-9a-f]{16}, which is not among the trusted keys \(trusted keys [0-9a-f]{16}\)/],
  ] as const) {
    it(`refuses ${name} (${code}) and changes nothing`, () => {
      const before = status();
      const failed = arbor(config, 'install', name, '--sysroot', sysroot);
      assert.equal(failed.status, 1, failed.stdout + failed.stderr);
      assert.match(failed.stderr, new RegExp(`^Error: .*\\[${code}\\]`));
      assert.match(failed.stderr, says);
      assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr);
      assert.deepEqual(status(), before);
    });
  }

  /** Runs `arbor install` with the default deployment's signed.repo replaced by `repoFile` (an admin's edit of /etc), then puts it back. */
  async function withRepoFile<T>(repoFile: string, run: () => Promise<T> | T): Promise<T> {
    const etc = path.join(status().deployments.find((deployment) => deployment.index === 0)!.path, 'etc', 'yum.repos.d');
    const original = fs.readFileSync(path.join(etc, 'signed.repo'), 'utf8');
    fs.writeFileSync(path.join(etc, 'signed.repo'), repoFile);
    try {
      return await run();
    } finally {
      fs.writeFileSync(path.join(etc, 'signed.repo'), original);
    }
  }

  it('refuses gpgcheck=1 without gpgkey= as a config error naming the file, the line and the repo', async () => {
    const before = status();
    const failed = await withRepoFile(`[signed]\nname=Signed\nbaseurl=file://${repo}\ngpgcheck=1\n`, () => arbor(config, 'install', 'plaintool', '--sysroot', sysroot));
    assert.equal(failed.status, 1, failed.stdout + failed.stderr);
    assert.match(failed.stderr, /^Error: .*signed\.repo:4: repo \[signed\] has gpgcheck=1 and no gpgkey= \[ARBOR_LAYER_REPO_CONFIG_INVALID\]/);
    assert.deepEqual(status(), before);
  });

  it('fetches gpgkey= over http, and refuses a key file larger than 1 MiB whatever the server says', async () => {
    const server = http.createServer((request, response) => {
      if (request.url === '/keys/repo.asc') response.end(trustedKey);
      else if (request.url === '/keys/huge.asc') {
        // No Content-Length: only the bytes received can tell it is too large.
        response.write(`${trustedKey}\n`);
        const junk = Buffer.alloc(64 * 1024, 0x41);
        let sent = 0;
        const more = () => {
          while (sent < 40 && response.write(junk)) sent++;
          if (sent < 40) response.once('drain', more);
          else response.end();
        };
        more();
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
    try {
      const repoFile = (key: string) => `[signed]\nname=Signed\nbaseurl=file://${repo}\ngpgcheck=1\ngpgkey=${base}/${key}\n`;
      sys('uninstall', 'goodtool');
      const deployed = await withRepoFile(repoFile('repo.asc'), () => arborOkAsync(config, 'install', 'goodtool', '--sysroot', sysroot, '--json'));
      assert.ok(deployed.json<{ deployed: { path: string } }>().deployed.path);
      const before = status();
      const failed = await withRepoFile(repoFile('huge.asc'), () => arborOkAsync(config, 'install', 'plaintool', '--sysroot', sysroot).then(() => assert.fail('expected a failure'), (error: Error) => error.message));
      assert.match(failed, /Key http:\/\/127\.0\.0\.1:\d+\/keys\/huge\.asc of repo \[signed\] .*too large.*\[ARBOR_RPM_KEY_INVALID\]/);
      assert.deepEqual(status(), before);
    } finally {
      server.close();
    }
  });
});
