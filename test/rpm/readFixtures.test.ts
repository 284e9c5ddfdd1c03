import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { formatDependency, readRpmInfo, RpmErrorCode, type RpmPackageInfo } from '@arbor/plugin-rpm';
import { FIXTURES, runArbor } from '../support/runArbor';
import { requireTool } from '../support/requireTool';
import { expectedFixtures, fixtureRpms, rpmDump, rpmQuery, rpmVerifiesDigests } from './rpmOracle';

/** rpm refuses this one's payload (its SHA256 digest is wrong); so must Arbor. */
const CORRUPTED = 'rpm/rpm-upstream/hello-2.0-1.x86_64-corrupted.rpm';

const FLAG_BITS: Record<string, number> = {
  config: 1 << 0, doc: 1 << 1, icon: 1 << 2, missingok: 1 << 3, noreplace: 1 << 4, specfile: 1 << 5,
  ghost: 1 << 6, license: 1 << 7, readme: 1 << 8, pubkey: 1 << 11, artifact: 1 << 12,
};

function flagBits(flags: string[]): number {
  return flags.reduce((bits, flag) => bits | FLAG_BITS[flag]!, 0);
}

describe('reading real RPMs', function () {
  this.timeout(120_000);
  const infos = new Map<string, RpmPackageInfo>();

  before(async () => {
    for (const fixture of fixtureRpms()) {
      if (fixture !== CORRUPTED) infos.set(fixture, await readRpmInfo(path.join(FIXTURES, fixture)));
    }
  });

  it('knows every fixture EXPECTED.txt lists, and EXPECTED.txt lists every fixture', () => {
    assert.deepEqual(expectedFixtures().map((fixture) => fixture.path).sort(), fixtureRpms());
  });

  it('agrees with EXPECTED.txt on NEVRA, payload compressor and file count for every fixture', () => {
    for (const expected of expectedFixtures()) {
      if (expected.path === CORRUPTED) continue;
      const info = infos.get(expected.path)!;
      assert.deepEqual(
        [info.name, info.version, info.release, info.arch, info.payloadCompressor ?? '(none)', info.files.length],
        [expected.name, expected.version, expected.release, expected.arch, expected.payloadCompressor, expected.files],
        expected.path,
      );
    }
  });

  it('agrees with rpm -qp --dump on every file: path, mode, size, owner, link target, digest, %config and %doc', function () {
    requireTool(this, 'rpm');
    for (const [fixture, info] of infos) {
      const dump = rpmDump(path.join(FIXTURES, fixture), info.files.map((file) => file.path));
      const ours = info.files.map((file) => ({
        path: file.path, size: file.size, mtime: file.mtime, digest: file.digest ?? '', mode: file.mode,
        user: file.user, group: file.group, config: file.flags.includes('config'), doc: file.flags.includes('doc'), linkTo: file.linkTo ?? '',
      }));
      assert.deepEqual(ours, dump, fixture);
    }
  });

  it('agrees with rpm -qp --qf on epoch, file flags, capabilities, every dependency kind and the scriptlets', function () {
    requireTool(this, 'rpm');
    for (const [fixture, info] of infos) {
      const query = rpmQuery(path.join(FIXTURES, fixture));
      assert.equal(info.epoch === null ? '(none)' : String(info.epoch), query.epoch, fixture);
      for (const file of info.files) {
        assert.equal(flagBits(file.flags), query.fileFlags.get(file.path), `${fixture} ${file.path} flags`);
        assert.equal(file.caps ?? '', query.fileCaps.get(file.path) ?? '', `${fixture} ${file.path} caps`);
      }
      if (fixture.endsWith('.rpm-v3')) {
        // rpm 4.18 appends a self-provide to v3 packages as it loads them; rpm 4.19 dropped
        // that retrofit (rpm commit d05c4fc8e). The package itself does not hold it.
        assert.equal(query.dependencies.provides!.pop(), `${info.name} = ${info.version}-${info.release}`);
      }
      for (const kind of Object.keys(query.dependencies) as Array<keyof typeof query.dependencies>) {
        const ours = (info[kind as 'requires'] ?? []).map(formatDependency);
        assert.deepEqual(ours, query.dependencies[kind], `${fixture} ${kind}`);
      }
      for (const [name, body] of Object.entries(query.scripts)) {
        assert.equal(info.scripts[name as 'prein']?.body, body, `${fixture} %${name}`);
      }
    }
  });

  it('reads the RPM v6 stripped-cpio, lzma, bzip2 and uncompressed payloads by their magic bytes', () => {
    const encoding = (fixture: string) => infos.get(fixture)!.payloadEncoding;
    assert.equal(encoding('rpm/rpm-rs/RPMS/v6/rpm-basic-2.3.4-5.el9.noarch.rpm'), 'none');
    assert.equal(encoding('rpm/go-rpmutils/payload-test-0.1-w6.lzdio.x86_64.rpm'), 'lzma');
    assert.equal(encoding('rpm/go-rpmutils/payload-test-0.1-w9.bzdio.x86_64.rpm'), 'bzip2');
    assert.equal(encoding('rpm/go-rpmutils/payload-test-0.1-w.ufdio.x86_64.rpm'), 'none');
    assert.equal(encoding('rpm/rpm-rs/RPMS/v6/zstd/rpm-basic-2.3.4-5.el9.noarch.rpm'), 'zstd');
  });

  it('checks the strongest digests each package records (SHA3 and SHA512 for v6, MD5 only for the oldest)', () => {
    assert.deepEqual(infos.get('rpm/rpm-rs/RPMS/v6/rpm-basic-2.3.4-5.el9.noarch.rpm')!.verified,
      ['header SHA256', 'header SHA3-256', 'payload SHA256', 'payload SHA512', 'payload SHA3-256']);
    assert.deepEqual(infos.get('rpm/rpmfile-py/hello.rpm')!.verified, ['header SHA256', 'header SHA1', 'payload SHA256']);
    assert.deepEqual(infos.get('rpm/rpm-upstream/hello-1.0-1.x86_64.rpm-v3')!.verified, ['header+payload MD5']);
  });

  it('reads scriptlets with their interpreters, including Lua and triggers', () => {
    const scriptlets = infos.get('rpm/rpm-rs/RPMS/v6/rpm-scriptlets-1.0-1.noarch.rpm')!;
    assert.ok(Object.keys(scriptlets.scripts).length >= 4, 'the scriptlets fixture has scriptlets');
    for (const script of Object.values(scriptlets.scripts)) assert.ok(script!.interpreter.length >= 1);
    const lua = infos.get('rpm/rpm-upstream/luafork-1.0-1.noarch.rpm')!;
    assert.deepEqual(Object.values(lua.scripts).map((script) => script!.interpreter), [['<lua>']]);
  });

  it('reads triggers as rpm -qp --triggers prints them', function () {
    requireTool(this, 'rpm');
    const fixture = 'rpm/rpm-rs/RPMS/v6/rpm-scriptlets-1.0-1.noarch.rpm';
    const ours = infos.get(fixture)!.triggers.map((trigger) =>
      `${trigger.type} scriptlet (using ${trigger.interpreter.join(' ')}) -- ${trigger.conditions.map(formatDependency).join(', ')}\n${trigger.body}\n`).join('');
    const theirs = execFileSync('rpm', ['-qp', '--nosignature', '--triggers', path.join(FIXTURES, fixture)], { encoding: 'utf8' });
    assert.ok(ours.includes('triggerin scriptlet (using /bin/sh) -- bash > 5.0'));
    assert.equal(ours, theirs);
  });

  it('fails on a package whose payload digest is wrong, where rpm -K fails, with one line naming both', async function () {
    const file = path.join(FIXTURES, CORRUPTED);
    await assert.rejects(readRpmInfo(file), (error: Error & { code?: string }) => {
      assert.equal(error.code, RpmErrorCode.DIGEST_MISMATCH);
      assert.match(error.message, /^hello-2\.0-1\.x86_64-corrupted\.rpm: payload SHA256 digest mismatch/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    requireTool(this, 'rpm');
    assert.equal(rpmVerifiesDigests(file), false);
  });

  describe('arbor rpm info', () => {
    const samples = [
      'rpm/rpmfile-py/hello.rpm',
      'rpm/rpm-rs/RPMS/v6/rpm-file-attrs-1.0-1.noarch.rpm',
      'rpm/rpm-rs/RPMS/v6/rpm-rich-deps-1.0-1.noarch.rpm',
      'rpm/rpm-upstream/hello-1.0-1.x86_64.rpm-v3',
      'rpm/go-rpmutils/crypto-policies-20210617-1.gitc776d3e.el8.noarch.rpm',
      'repodata/pulp-zoo/bear-4.1-1.noarch.rpm',
    ];

    it('prints with --json exactly what the library reads', () => {
      for (const sample of samples) {
        const run = runArbor(['rpm', 'info', path.join(FIXTURES, sample), '--json']);
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.json(), JSON.parse(JSON.stringify(infos.get(sample))), sample);
      }
    });

    it('prints NEVRA, modes and paths for people', () => {
      const run = runArbor(['rpm', 'info', path.join(FIXTURES, 'rpm/rpmfile-py/hello.rpm')]);
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^hello-2\.12\.1-2\.fc39\.x86_64: /);
      assert.match(run.stdout, /^0100755 root:root +40784 \/usr\/bin\/hello$/m);
    });

    it('exits 1 with a one-line error for a corrupt package and for a file that is no RPM', () => {
      const corrupt = runArbor(['rpm', 'info', path.join(FIXTURES, CORRUPTED)]);
      assert.equal(corrupt.status, 1);
      assert.match(corrupt.stderr, /^Error: hello-2\.0-1\.x86_64-corrupted\.rpm: payload SHA256 digest mismatch.*\[ARBOR_RPM_DIGEST_MISMATCH\]/);
      assert.equal(corrupt.stderr.trim().split('\n').length, 1);
      const notRpm = runArbor(['rpm', 'info', path.join(FIXTURES, 'rpm', 'EXPECTED.txt'), '--json']);
      assert.equal(notRpm.status, 1);
      assert.equal(notRpm.json<{ error: { code: string } }>().error.code, RpmErrorCode.NOT_AN_RPM);
    });
  });
});
