import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createArbor, type Arbor } from '@arbor/core';
import { commitTree, fsck, Repo, resolveTreePath } from '@arbor/core/store';
import { runArbor, type ArborRun } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';

interface PullLocalJson {
  source: string;
  sourceMode: string;
  verified: boolean;
  refs: Array<{ ref: string | null; commit: string; changed: boolean; fetched: { objects: number } }>;
}

/** A bootable tree with the metadata a copy must keep: setuid, an owner, a symlink, an xattr. */
function osTree(dir: string, version: string): void {
  writeTree(dir, {
    'usr/lib/os-release': `NAME="Local OS"\nPRETTY_NAME="Local OS"\nVERSION="${version}"\n`,
    'usr/lib/modules/6.1.0/vmlinuz': 'kernel\n',
    'usr/lib/modules/6.1.0/initramfs.img': 'initramfs\n',
    'usr/bin/tool': `#!/bin/sh\necho ${version}\n`,
    'usr/etc/tool.conf': `version=${version}\n`,
    'usr/share/data/owned': 'owned\n',
  });
  fs.chmodSync(path.join(dir, 'usr/bin/tool'), 0o4755);
  fs.chownSync(path.join(dir, 'usr/share/data/owned'), 1234, 4321);
  fs.symlinkSync('../lib/os-release', path.join(dir, 'usr/share/os-release'));
  execFileSync('setfattr', ['-n', 'user.kept', '-v', 'yes', path.join(dir, 'usr/bin/tool')]);
}

describe('arbor pull-local: commits between local repos of any mode, verified like a pull', function () {
  this.timeout(120_000);
  const tmp = useTempDir('arbor-pull-local-');
  let config: string;

  const arbor = (...args: string[]): ArborRun => runArbor([...args, '--config', config]);
  const ok = (...args: string[]): ArborRun => {
    const run = arbor(...args);
    assert.equal(run.status, 0, `arbor ${args.join(' ')}: ${run.stderr}`);
    return run;
  };
  let kernel: Arbor;
  before(async () => {
    // In process where the CLI is not what is tested: each CLI start costs ~0.5 s here.
    kernel = (await createArbor({ cwd: fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'arbor-pull-local-config-')) })).arbor;
  });
  /** A repo of `mode` holding `os/x86_64` (version 1), optionally signed with `key`. */
  const sourceRepo = async (mode: 'bare' | 'user' | 'archive', key?: string): Promise<{ repo: string; commit: string }> => {
    const repo = path.join(tmp(), `source-${mode}`);
    Repo.init(repo, { mode });
    const tree = path.join(tmp(), `tree-${mode}`);
    osTree(tree, '1');
    const { commit } = await commitTree(kernel, Repo.open(repo), { tree, branch: 'os/x86_64', subject: 'v1', metadata: { version: '1' }, signKey: key });
    return { repo, commit };
  };
  /** fsck re-hashes every object: clean, and holding `commit`, the destination has the very same tree. */
  const assertSameCommit = async (repo: string, ref: string, commit: string) => {
    const opened = Repo.open(repo);
    assert.equal(opened.readRef(ref), commit);
    const report = await fsck(kernel, opened);
    assert.deepEqual([report.corrupt, report.missing, report.invalid], [[], [], []]);
    assert.ok(report.checked > 10, `fsck checked ${report.checked} objects`);
  };

  beforeEach(() => {
    config = path.join(tmp(), 'arbor.config.json');
    fs.writeFileSync(config, JSON.stringify({ plugins: ['systemd-boot'] }));
  });

  it('bare compose repo -> a sysroot: the ref lands, fsck is clean, and the pulled commit deploys', async function () {
    requireTool(this, 'setfattr');
    requireRoot(this);
    const { repo, commit } = await sourceRepo('bare');
    const sysroot = path.join(tmp(), 'sysroot');
    ok('sysroot', 'init', sysroot, '--stateroot', 'os', '--bootloader', 'bls');
    const result = ok('pull-local', repo, 'os/x86_64', '--sysroot', sysroot, '--json').json<PullLocalJson>();
    assert.equal(result.sourceMode, 'bare');
    assert.deepEqual(result.refs.map((pulled) => [pulled.ref, pulled.commit, pulled.changed]), [['os/x86_64', commit, true]]);
    await assertSameCommit(path.join(sysroot, 'arbor/repo'), 'os/x86_64', commit);
    // Again: nothing new to fetch, and the ref stays.
    const again = ok('pull-local', repo, '--sysroot', sysroot, '--json').json<PullLocalJson>();
    assert.deepEqual(again.refs.map((pulled) => pulled.changed), [false]);
    ok('deploy', 'os/x86_64', '--sysroot', sysroot);
    const status = ok('status', '--sysroot', sysroot, '--json').json<{ deployments: Array<{ commit: string; path: string }> }>();
    assert.equal(status.deployments[0]!.commit, commit);
    const deployment = status.deployments[0]!.path;
    assert.equal(fs.readFileSync(path.join(deployment, 'etc/tool.conf'), 'utf8'), 'version=1\n');
    assert.equal(fs.statSync(path.join(deployment, 'usr/bin/tool')).mode & 0o7777, 0o4755);
    assert.equal(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'user.kept', path.join(deployment, 'usr/bin/tool')]).toString(), 'yes');
  });

  for (const [from, to] of [['archive', 'bare'], ['user', 'archive'], ['bare', 'user']] as const) {
    it(`${from} -> ${to}: the same tree, object for object, and fsck is clean`, async function () {
      requireTool(this, 'setfattr');
      requireRoot(this);
      const { repo, commit } = await sourceRepo(from);
      const dest = path.join(tmp(), `dest-${to}`);
      Repo.init(dest, { mode: to });
      const result = ok('pull-local', repo, 'os/x86_64', '--repo', dest, '--json').json<PullLocalJson>();
      assert.equal(result.sourceMode, from);
      assert.equal(result.refs[0]!.commit, commit);
      await assertSameCommit(dest, 'os/x86_64', commit);
    });
  }

  for (const mode of ['bare', 'archive'] as const) {
    it(`refuses a corrupt object in ${mode === 'archive' ? 'an' : 'a'} ${mode} source, naming it, and moves no ref`, async function () {
      requireTool(this, 'setfattr');
      requireRoot(this);
      const { repo, commit } = await sourceRepo(mode);
      // Damage the object that holds usr/etc/tool.conf, keeping its size.
      const entry = resolveTreePath(Repo.open(repo), commit, '/usr/etc/tool.conf');
      assert.equal(entry.type, 'file');
      const id = (entry as { file: string }).file;
      const object = path.join(repo, 'objects', id.slice(0, 2), `${id.slice(2)}.${mode === 'bare' ? 'file' : 'filez'}`);
      const bytes = fs.readFileSync(object);
      bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x01;
      fs.writeFileSync(object, bytes);
      const dest = path.join(tmp(), 'dest');
      Repo.init(dest, { mode: 'bare' });
      const run = arbor('pull-local', repo, 'os/x86_64', '--repo', dest);
      assert.equal(run.status, 1);
      const errors = run.stderr.split('\n').filter((line) => line.startsWith('Error:'));
      assert.equal(errors.length, 1, run.stderr);
      assert.match(errors[0]!, new RegExp(`${id}.*\\[ARBOR_PULL_OBJECT_CORRUPT\\]`));
      assert.deepEqual(Repo.open(dest).listRefs(), {});
      assert.ok(!Repo.open(dest).hasObject(commit, 'commit'), 'no commit object either');
    });
  }

  it('with --verify-key, takes a commit signed by the key and refuses an unsigned one; --remote writes REMOTE:REF', async function () {
    requireTool(this, 'setfattr', 'openssl');
    requireRoot(this);
    // An ed25519 key as openssl writes it, the PEM pair `arbor key generate` makes.
    const key = path.join(tmp(), 'release.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key]);
    execFileSync('openssl', ['pkey', '-in', key, '-pubout', '-out', `${key}.pub`]);
    const signed = await sourceRepo('archive', key);
    const unsigned = await sourceRepo('bare');
    const dest = path.join(tmp(), 'dest');
    Repo.init(dest, { mode: 'bare' });
    const run = arbor('pull-local', unsigned.repo, 'os/x86_64', '--repo', dest, '--verify-key', `${key}.pub`);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`^Error: .*${unsigned.commit}.*`, 'm'));
    assert.deepEqual(Repo.open(dest).listRefs(), {});
    const pulled = ok('pull-local', signed.repo, 'os/x86_64', '--repo', dest, '--verify-key', `${key}.pub`, '--json').json<PullLocalJson>();
    assert.equal(pulled.verified, true);
    assert.equal(Repo.open(dest).readRef('os/x86_64'), signed.commit);
    // As if pulled from the repo's remote: its key applies, and the ref is origin's.
    ok('remote', 'add', 'origin', 'http://127.0.0.1:9/repo', '--repo', dest, '--verify-key', `${key}.pub`);
    const fromRemote = ok('pull-local', signed.repo, 'os/x86_64', '--repo', dest, '--remote', 'origin', '--json').json<PullLocalJson>();
    assert.deepEqual(fromRemote.refs.map((ref) => ref.ref), ['origin:os/x86_64']);
    assert.equal(arbor('pull-local', unsigned.repo, 'os/x86_64', '--repo', dest, '--remote', 'origin').status, 1);
    assert.deepEqual(Repo.open(dest).listRefs(), { 'os/x86_64': signed.commit, 'origin:os/x86_64': signed.commit });
  });

  it('streams a file object too large to read whole from a bare source, into archive and bare repos, with a bounded resident set', async function () {
    requireRoot(this);
    const size = 256 << 20;
    const repo = path.join(tmp(), 'source-large');
    Repo.init(repo, { mode: 'bare' });
    const tree = path.join(tmp(), 'tree-large');
    osTree(tree, '1');
    // Not all zeros, so zstd has work to do, yet fast to make.
    const block = Buffer.alloc(1 << 20);
    for (let index = 0; index < block.length; index += 4096) block.writeUInt32LE(index * 2654435761 >>> 0, index);
    const handle = fs.openSync(path.join(tree, 'usr/lib/large.img'), 'w');
    for (let written = 0; written < size; written += block.length) fs.writeSync(handle, block);
    fs.closeSync(handle);
    const { commit } = await commitTree(kernel, Repo.open(repo), { tree, branch: 'os/x86_64', subject: 'large' });
    fs.rmSync(tree, { recursive: true });
    // The CLI's own peak resident set (VmHWM), reported as it exits.
    const reporter = path.join(tmp(), 'peak.cjs');
    fs.writeFileSync(reporter, `process.on('exit', () => require('node:fs').writeFileSync(process.env.PEAK_FILE, /VmHWM:\\s+(\\d+) kB/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]));\n`);
    for (const mode of ['archive', 'bare'] as const) {
      const dest = path.join(tmp(), `dest-large-${mode}`);
      Repo.init(dest, { mode });
      const peakFile = path.join(tmp(), `peak-${mode}`);
      const run = runArbor(['pull-local', repo, 'os/x86_64', '--repo', dest, '--config', config], {
        env: { ...process.env, DEBUG: '', NODE_OPTIONS: `--require ${reporter}`, PEAK_FILE: peakFile },
      });
      assert.equal(run.status, 0, run.stderr);
      await assertSameCommit(dest, 'os/x86_64', commit);
      const peak = Number(fs.readFileSync(peakFile, 'utf8')) * 1024;
      // Read whole, the file alone would take 256 MB (and its compressed copy more); streamed, the CLI peaks near 100 MB.
      assert.ok(peak < 180 << 20, `pull-local into ${mode} peaked at ${Math.round(peak / (1 << 20))} MB for a ${size >> 20} MB file`);
      fs.rmSync(dest, { recursive: true });
    }
  });
});
