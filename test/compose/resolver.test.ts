import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { Resolver, RpmMdSource, nevra, type RpmPackage } from '@arbor/plugin-rpm-md';
import { requireTool } from '../support/requireTool';
import { FIXTURES } from '../support/runArbor';
import { libsolvResolve, type OracleJob } from './libsolvOracle';
import { buildTestRepo } from './TestRpmRepo';

const REPODATA = path.join(FIXTURES, 'repodata');
const LIBDNF = path.join(REPODATA, 'libdnf/modules/modules/_all/x86_64');
const DNF5 = path.join(REPODATA, 'dnf5/repomd-repo1');
const CREATEREPO_02 = path.join(REPODATA, 'createrepo_c/repo_02');
const HAWKEY = path.join(REPODATA, 'libdnf/hawkey/yum');

interface Case {
  title: string;
  repo: string | (() => string);
  /** What the treefile would list, and the same request as libsolv jobs. */
  specs: string[];
  jobs: OracleJob[];
  excluded?: string[];
}

describe('resolver vs libsolv (testsolv) on the fixture repos', function () {
  this.timeout(60000);
  let work: string;
  let zoo: string;
  let arches: string;
  const cache = new Map<string, RpmPackage[]>();

  before(function () {
    requireTool(this, 'testsolv', 'repo2solv', 'createrepo_c', 'rpmbuild');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-resolve-'));
    // pulp-zoo ships packages without repodata: index a copy, as the fixture notes say.
    zoo = path.join(work, 'zoo');
    fs.cpSync(path.join(REPODATA, 'pulp-zoo'), zoo, { recursive: true });
    execFileSync('createrepo_c', ['-q', zoo]);
    // rpm's own hello packages for four arches, plus one noarch package standing in for libc.
    arches = path.join(work, 'arches');
    fs.mkdirSync(arches);
    for (const file of ['hello-1.0-1.i386.rpm', 'hello-1.0-1.ppc64.rpm', 'hello-2.0-1.i686.rpm', 'hello-2.0-1.x86_64.rpm']) {
      fs.copyFileSync(path.join(FIXTURES, 'rpm/rpm-upstream', file), path.join(arches, file));
    }
    buildTestRepo(arches, [{ name: 'fake-libc', provides: ['libc.so.6(GLIBC_2.2.5)(64bit)', 'libc.so.6(GLIBC_2.0)', 'rtld(GNU_HASH)', '/bin/sh'] }], path.join(work, 'build'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  async function packagesOf(repo: string): Promise<RpmPackage[]> {
    let packages = cache.get(repo);
    if (!packages) {
      const source = new RpmMdSource({ id: 'available', url: repo, cacheDir: path.join(work, 'cache') });
      packages = await source.packages(new Arbor().context());
      cache.set(repo, packages);
    }
    return packages;
  }

  const cases: Case[] = [
    { title: 'httpd: best versions down a chain (httpd -> libnghttp2, glibc -> glibc-common, basesystem -> filesystem)', repo: LIBDNF, specs: ['httpd'], jobs: [{ name: 'httpd' }] },
    { title: 'bash and bash-doc with a library provide (libpthread.so.0(GLIBC_2.3)(64bit))', repo: LIBDNF, specs: ['bash', 'bash-doc'], jobs: [{ name: 'bash' }, { name: 'bash-doc' }] },
    { title: 'an older glibc by NEVRA pulls the glibc-common of exactly its version', repo: LIBDNF, specs: ['glibc-2.17-157.x86_64'], jobs: [{ pkg: 'glibc-2.17-157.x86_64' }] },
    { title: 'several unrelated packages at once', repo: LIBDNF, specs: ['kernel', 'kernel-headers', 'systemd', 'grub2', 'dummy-nscd'], jobs: ['kernel', 'kernel-headers', 'systemd', 'grub2', 'dummy-nscd'].map((name) => ({ name })) },
    { title: 'a package whose Provides names another package (httpd-provides-name-version-release)', repo: LIBDNF, specs: ['httpd-provides-name-version-release', 'httpd-provides-name-doc'], jobs: [{ name: 'httpd-provides-name-version-release' }, { name: 'httpd-provides-name-doc' }] },
    { title: 'a request by provide only', repo: LIBDNF, specs: ['libc.so.6()(64bit)'], jobs: [{ provides: 'libc.so.6()(64bit)' }] },
    { title: 'excluding libnghttp2 falls back to the httpd that does not need it', repo: LIBDNF, specs: ['httpd'], excluded: ['libnghttp2'], jobs: [{ lock: 'libnghttp2' }, { name: 'httpd' }] },
    { title: 'conflict: glibc 2.25-4 needs glibc-common = 2.25-4 but glibc-common 2.25.90 is requested', repo: LIBDNF, specs: ['glibc-2.25-4.x86_64', 'glibc-common-2.25.90-2.x86_64'], jobs: [{ pkg: 'glibc-2.25-4.x86_64' }, { pkg: 'glibc-common-2.25.90-2.x86_64' }] },
    { title: 'unsatisfiable: nothing provides a versioned require (dnf5 "unresolvable")', repo: DNF5, specs: ['unresolvable'], jobs: [{ name: 'unresolvable' }] },
    { title: 'pkg and pkg-libs with an epoch', repo: DNF5, specs: ['pkg', 'pkg-libs'], jobs: [{ name: 'pkg' }, { name: 'pkg-libs' }] },
    { title: 'unsatisfiable through a chain: fake_bash -> super_kernel -> bzip2 (createrepo_c repo_02)', repo: CREATEREPO_02, specs: ['fake_bash'], jobs: [{ name: 'fake_bash' }] },
    { title: 'noarch packages (hawkey yum repo)', repo: HAWKEY, specs: ['tour', 'mystery-devel'], jobs: [{ name: 'tour' }, { name: 'mystery-devel' }] },
    { title: 'zoo: duck picks 0.8, the newest of three', repo: () => zoo, specs: ['duck'], jobs: [{ name: 'duck' }] },
    { title: 'zoo: a deep tree (horse -> mouse, penguin -> dolphin -> bear, lion, tiger -> wolf ...)', repo: () => zoo, specs: ['horse'], jobs: [{ name: 'horse' }] },
    { title: 'zoo: many roots sharing dependencies', repo: () => zoo, specs: ['pike', 'trout', 'chimpanzee', 'cheetah', 'elephant'], jobs: ['pike', 'trout', 'chimpanzee', 'cheetah', 'elephant'].map((name) => ({ name })) },
    { title: 'zoo: the older duck by version pulls its own dependencies', repo: () => zoo, specs: ['duck-0.6'], jobs: [{ pkg: 'duck-0.6-1.noarch' }] },
    { title: 'arch: the x86_64 build wins over i686, i386 and ppc64 ones', repo: () => arches, specs: ['hello'], jobs: [{ name: 'hello' }] },
    { title: 'arch: a compatible 32-bit build can be asked for by NEVRA', repo: () => arches, specs: ['hello-2.0-1.i686'], jobs: [{ pkg: 'hello-2.0-1.i686' }] },
    { title: 'arch: a ppc64 build is refused on x86_64', repo: () => arches, specs: ['hello-1.0-1.ppc64'], jobs: [{ pkg: 'hello-1.0-1.ppc64' }] },
  ];

  for (const testCase of cases) {
    it(`matches libsolv: ${testCase.title}`, async function () {
      const repo = typeof testCase.repo === 'string' ? testCase.repo : testCase.repo();
      const oracleDir = path.join(work, 'oracle', crypto.createHash('sha256').update(repo).digest('hex').slice(0, 16));
      const expected = libsolvResolve(repo, testCase.jobs, oracleDir);
      const packages = await packagesOf(repo);
      const resolution = new Resolver(packages, { arch: 'x86_64', recommends: true, excluded: testCase.excluded ?? [] }).resolve(testCase.specs);
      if (expected.problems.length) {
        assert.equal(resolution.selected.length, 0);
        assert.ok(resolution.problems.length > 0, `libsolv reports "${expected.problems[0]}", we found no problem`);
        // Same diagnosis: our line starts with libsolv's (we may add the reason behind it). When a
        // package misses several dependencies, libsolv names the first in its internal order, so
        // "nothing provides" lines are compared by the package that needs them.
        const diagnosis = (line: string) => line.replace(/^nothing provides .+ needed by (\S+).*$/, 'nothing provides (a dependency) needed by $1');
        assert.ok(
          expected.problems.some((problem) => diagnosis(resolution.problems[0]!).startsWith(diagnosis(problem))),
          `ours: ${resolution.problems[0]}\nlibsolv: ${expected.problems.join(' | ')}`,
        );
      } else {
        assert.deepEqual(resolution.problems, []);
        assert.deepEqual(resolution.selected.map(nevra).sort(), expected.installed);
        assert.ok(expected.installed.length > 0);
      }
    });
  }

  it('orders installs so that what a package requires comes first', async () => {
    const packages = await packagesOf(LIBDNF);
    const { selected } = new Resolver(packages, { arch: 'x86_64', recommends: true, excluded: [] }).resolve(['httpd']);
    const position = (name: string) => selected.findIndex((pkg) => pkg.name === name);
    assert.ok(position('filesystem') < position('basesystem'));
    assert.ok(position('basesystem') < position('glibc'));
    assert.ok(position('glibc-common') < position('glibc'));
    assert.ok(position('glibc') < position('httpd'));
    assert.ok(position('libnghttp2') < position('httpd'));
  });

  it('names the spec when no repo offers it', async () => {
    const packages = await packagesOf(LIBDNF);
    const { problems } = new Resolver(packages, { arch: 'x86_64', recommends: true, excluded: [] }).resolve(['no-such-package']);
    assert.deepEqual(problems, ['no package matches "no-such-package"']);
  });
});
