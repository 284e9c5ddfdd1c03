import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor, type PackageRecord, type ResolvePlan } from '@arbor/core';
import rpmMd, { RpmMdSource, nevra, type RpmPackage } from '@arbor/plugin-rpm-md';
import { NginxServer } from '../support/NginxServer';
import { requireTool } from '../support/requireTool';
import { FIXTURES } from '../support/runArbor';
import { buildTestRepo } from './TestRpmRepo';

const REPODATA = path.join(FIXTURES, 'repodata');

describe('rpm-md repositories', function () {
  this.timeout(120000);
  let work: string;
  const context = new Arbor().context();

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpmmd-'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function open(url: string, cacheDir = path.join(work, 'cache')): RpmMdSource {
    return new RpmMdSource({ id: 'test', url, cacheDir });
  }

  it('reads the same packages from every fixture repo as libsolv does', function () {
    requireTool(this, 'repo2solv', 'dumpsolv');
    return (async () => {
      const roots = fs.readFileSync(path.join(REPODATA, 'EXPECTED.txt'), 'utf8').split('\n')
        .map((line) => /^(\S+) \| repo2solv/.exec(line)?.[1]).filter((root): root is string => Boolean(root));
      assert.ok(roots.length >= 10);
      for (const root of roots) {
        if (root === 'createrepo_c/repo_01') {
          // Its primary.xml.gz does not hash to the checksum repomd.xml records: repo2solv does not
          // check and reads it anyway, dnf refuses the repo (EXPECTED.txt lists nothing), so do we.
          await assert.rejects(open(path.join(REPODATA, root)).packages(context), { code: 'ARBOR_RPMMD_CHECKSUM_MISMATCH' });
          continue;
        }
        const ours = (await open(path.join(REPODATA, root)).packages(context)).map(nevra).sort();
        assert.deepEqual(ours, libsolvPackages(path.join(REPODATA, root)), root);
      }
    })();
  });

  /** NEVRAs libsolv's own rpm-md reader finds (updateinfo advisories, which it adds as `patch:` solvables, left out). */
  function libsolvPackages(root: string): string[] {
    const solv = path.join(work, 'fixture.solv');
    execFileSync('repo2solv', ['-o', solv, root]);
    const dump = execFileSync('dumpsolv', [solv], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const result: string[] = [];
    let name = '';
    let arch = '';
    for (const line of dump.split('\n')) {
      const field = /^solvable:(name|arch|evr): (.*)$/.exec(line);
      if (!field) continue;
      if (field[1] === 'name') name = field[2]!;
      else if (field[1] === 'arch') arch = field[2]!;
      else if (!name.startsWith('patch:')) result.push(`${name}-${field[2]}.${arch}`);
    }
    return result.sort();
  }

  it('reads uncompressed metadata and keeps epochs, Requires(pre), weak deps and xml:base', async () => {
    const packages = await open(path.join(REPODATA, 'dnf5/repomd-repo1')).packages(context);
    const unresolvable = packages.find((pkg) => pkg.name === 'unresolvable')!;
    assert.equal(nevra(unresolvable), 'unresolvable-1:2-3.noarch');
    assert.deepEqual(unresolvable.requires, [
      { name: 'req', flags: 'EQ', evr: { epoch: 1, version: '2', release: '3' } },
      { name: 'prereq', pre: true },
    ]);
    assert.deepEqual(unresolvable.recommends, [{ name: 'rec' }]);
    assert.deepEqual(unresolvable.obsoletes, [{ name: 'obs', flags: 'LT', evr: { epoch: 1, version: '2', release: undefined } }]);
    assert.equal(unresolvable.locationBase, 'http://example.com/');
  });

  it('reads gzip, xz and zstd metadata to the same packages', async function () {
    requireTool(this, 'createrepo_c', 'rpmbuild');
    const built = path.join(work, 'built');
    buildTestRepo(built, [{ name: 'alpha', requires: ['beta >= 1'] }, { name: 'beta', version: '1.5', files: { '/usr/bin/beta': 'x' } }], path.join(work, 'b'));
    const lists: string[] = [];
    for (const compression of ['gz', 'xz', 'zstd']) {
      const copy = path.join(work, `repo-${compression}`);
      fs.cpSync(built, copy, { recursive: true });
      fs.rmSync(path.join(copy, 'repodata'), { recursive: true });
      // Debian's createrepo_c is built without zstd: write a zstd repo by recompressing the xz one.
      execFileSync('createrepo_c', ['-q', '--simple-md-filenames', '--general-compress-type', compression === 'zstd' ? 'xz' : compression, copy]);
      if (compression === 'zstd') recompressAsZstd(path.join(copy, 'repodata'));
      const primary = fs.readdirSync(path.join(copy, 'repodata')).find((name) => name.startsWith('primary.xml'))!;
      assert.ok(primary.endsWith(compression === 'zstd' ? '.zst' : `.${compression}`), primary);
      const packages = await open(copy).packages(context);
      lists.push(JSON.stringify(packages.map((pkg) => [nevra(pkg), pkg.requires, pkg.files])));
    }
    assert.equal(lists[1], lists[0]);
    assert.equal(lists[2], lists[0]);
    assert.match(lists[0]!, /alpha-1\.0-1\.noarch.*beta.*GE/);
  });

  it('answers a file dependency outside primary.xml from filelists.xml', async function () {
    requireTool(this, 'createrepo_c', 'rpmbuild');
    const repo = path.join(work, 'files');
    buildTestRepo(repo, [
      // /usr/share/... is not among the paths createrepo_c keeps in primary.xml.
      { name: 'reader', requires: ['/usr/share/words/list'] },
      { name: 'words', files: { '/usr/share/words/list': 'a\nb\n' } },
      { name: 'shell-user', requires: ['/usr/bin/beta'] },
      { name: 'beta', files: { '/usr/bin/beta': 'x' } },
    ], path.join(work, 'f'));
    const arbor = new Arbor().use(rpmMd());
    const resolveWith = async (requested: string[]): Promise<{ plan: ResolvePlan; source: RpmMdSource; asked: number }> => {
      const source = open(repo);
      let asked = 0;
      const fileLists = source.fileLists.bind(source);
      source.fileLists = async (ctx) => { asked++; return fileLists(ctx); };
      const available: PackageRecord[] = await source.packages(context);
      const plan = await arbor.hooks.resolve.promise({
        requested, excluded: [], recommends: true, arch: 'x86_64', available, sources: [source], selected: [], problems: [],
      }, context);
      return { plan, source, asked };
    };
    const withFiles = await resolveWith(['reader']);
    assert.deepEqual(withFiles.plan.problems, []);
    assert.deepEqual(withFiles.plan.selected.map((pkg) => pkg.name).sort(), ['reader', 'words']);
    assert.equal(withFiles.asked, 1);
    assert.ok((await withFiles.source.packages(context)).find((pkg: RpmPackage) => pkg.name === 'beta')!.files.includes('/usr/bin/beta'));
  });

  it('downloads over HTTP into a cache keyed by checksum, and refuses metadata that does not match repomd.xml', async function () {
    requireTool(this, 'nginx', 'createrepo_c', 'rpmbuild');
    const served = path.join(work, 'served');
    buildTestRepo(served, [{ name: 'gamma', files: { '/usr/share/gamma': 'g' } }], path.join(work, 'g'));
    const server = new NginxServer(served);
    const url = await server.start();
    try {
      const cache = path.join(work, 'http-cache');
      const source = open(url, cache);
      const [gamma] = await source.packages(context);
      const file = await source.download(gamma!, context);
      assert.equal(path.dirname(file), cache);
      assert.equal(path.basename(file), `sha256-${gamma!.checksum!.value}`);
      const requests = server.requests().length;
      await open(url, cache).download(gamma!, context);
      assert.equal(server.requests().length, requests, 'the second download came from the cache');

      fs.appendFileSync(path.join(served, 'repodata/primary.xml.gz'), 'x');
      await assert.rejects(open(url, path.join(work, 'other-cache')).packages(context), {
        code: 'ARBOR_RPMMD_CHECKSUM_MISMATCH',
        message: /^primary\.xml of repo test is corrupt: sha256 is [0-9a-f]{64}, the repo metadata says [0-9a-f]{64}$/,
      });
    } finally {
      await server.stop();
    }
  });
});

/** Replaces repodata/*.xml.xz with .xml.zst and fixes repomd.xml's locations and checksums to match. */
function recompressAsZstd(repodata: string): void {
  let repomd = fs.readFileSync(path.join(repodata, 'repomd.xml'), 'utf8');
  for (const name of fs.readdirSync(repodata).filter((file) => file.endsWith('.xml.xz'))) {
    const xz = path.join(repodata, name);
    const zst = xz.replace(/\.xz$/, '.zst');
    const plain = execFileSync('xz', ['-dc', xz]);
    fs.writeFileSync(zst, execFileSync('zstd', ['-q', '-c'], { input: plain }));
    const oldSum = crypto.createHash('sha256').update(fs.readFileSync(xz)).digest('hex');
    const newSum = crypto.createHash('sha256').update(fs.readFileSync(zst)).digest('hex');
    repomd = repomd.replace(oldSum, newSum).replace(`repodata/${name}`, `repodata/${path.basename(zst)}`);
    fs.rmSync(xz);
  }
  fs.writeFileSync(path.join(repodata, 'repomd.xml'), repomd);
}
