import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createArbor } from '@arbor/core';
import { checkoutCommit, Repo } from '@arbor/core/store';
import { extractTarball, TreeErrorCode } from '@arbor/plugin-tree';
import { describeTree } from '../compose/composeFixture';
import { runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';
import { writeTars, type TarMember } from './hostileTar';

/** Every xattr of every entry under `root`, as getfattr dumps them (hex values, paths relative). */
function xattrDump(root: string): string {
  const dump = execFileSync('getfattr', ['-R', '-d', '-m', '-', '-h', '-e', 'hex', '--absolute-names', root], { encoding: 'utf8' });
  return dump.split(`${root}/`).join('').split('\n\n').filter(Boolean).sort().join('\n\n');
}

/** An image-shaped tree with what a tarball must carry: owners, setuid, caps, labels, links, a long name, an empty 0700 dir. */
function richTree(dir: string): void {
  writeTree(dir, {
    'usr/bin/ping': 'ping\n',
    'usr/bin/su': 'su\n',
    'usr/share/doc/a-rather-long-directory-name-to-pass-the-ustar-limit/and-an-even-longer-file-name-beyond-one-hundred-bytes.txt': 'long\n',
    'etc/shadow': 'root:*:19000:0:99999:7:::\n',
    'srv/data/owned': 'by 1234\n',
  });
  fs.chmodSync(path.join(dir, 'usr/bin/su'), 0o4755);
  fs.chmodSync(path.join(dir, 'etc/shadow'), 0o000);
  fs.chownSync(path.join(dir, 'srv/data'), 1234, 5678);
  fs.chownSync(path.join(dir, 'srv/data/owned'), 1234, 5678);
  fs.mkdirSync(path.join(dir, 'root'), { mode: 0o700 });
  fs.chmodSync(path.join(dir, 'root'), 0o700);
  fs.mkdirSync(path.join(dir, 'tmp'));
  fs.chmodSync(path.join(dir, 'tmp'), 0o1777);
  fs.symlinkSync('usr/bin', path.join(dir, 'bin'));
  fs.symlinkSync('/usr/bin/ping', path.join(dir, 'usr/bin/ping6'));
  fs.symlinkSync('../../missing', path.join(dir, 'usr/share/dangling'));
  fs.linkSync(path.join(dir, 'usr/bin/ping'), path.join(dir, 'usr/bin/ping-hardlink'));
  // cap_net_raw=ep (VFS_CAP_REVISION_2), as setcap writes it; and an SELinux label.
  execFileSync('setfattr', ['-n', 'security.capability', '-v', '0x0100000200200000000000000000000000000000', path.join(dir, 'usr/bin/ping')]);
  execFileSync('setfattr', ['-n', 'security.selinux', '-v', 'system_u:object_r:shadow_t:s0', path.join(dir, 'etc/shadow')]);
  execFileSync('setfattr', ['-n', 'user.note', '-v', 'kept', path.join(dir, 'srv/data')]);
}

describe('the tree source (plugins/tree)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('arbor-tree-source-');

  for (const [suffix, flags] of [['tar', []], ['tar.gz', ['-z']], ['tar.zst', ['--zstd']]] as const) {
    it(`unpacks a GNU tar .${suffix} exactly as GNU tar extracts it: owners, modes, links, xattrs`, async function () {
      requireTool(this, 'tar', 'getfattr', 'setfattr', 'zstd');
      requireRoot(this);
      const source = path.join(tmp(), 'source');
      richTree(source);
      const archive = path.join(tmp(), `rootfs.${suffix}`);
      execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', ...flags, '-C', source, '-cf', archive, '.']);
      const ours = path.join(tmp(), 'ours');
      fs.mkdirSync(ours);
      const entries = await extractTarball(archive, ours);
      const theirs = path.join(tmp(), 'gnu');
      fs.mkdirSync(theirs);
      execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', archive, '-C', theirs]);
      assert.deepEqual(describeTree(ours), describeTree(theirs));
      assert.equal(xattrDump(ours), xattrDump(theirs));
      assert.match(xattrDump(ours), /security\.capability=0x0100000200200000/);
      assert.equal(entries, execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n').length);
      assert.equal(fs.statSync(path.join(ours, 'usr/bin/ping')).ino, fs.statSync(path.join(ours, 'usr/bin/ping-hardlink')).ino);
    });
  }

  it('commits the same tree from a directory and from its tarball, and only a changed source makes a new commit', async function () {
    requireTool(this, 'tar', 'setfattr');
    requireRoot(this);
    const dir = tmp();
    richTree(path.join(dir, 'rootfs'));
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', '-C', path.join(dir, 'rootfs'), '-cf', path.join(dir, 'rootfs.tar'), '.']);
    // The tree plugin alone over the default preset: no postprocessing, so the commit is the tree as given.
    fs.writeFileSync(path.join(dir, 'arbor.config.json'), JSON.stringify({ plugins: ['tree'] }));
    const arbor = (...args: string[]) => {
      const run = runArbor([...args, '--config', path.join(dir, 'arbor.config.json')]);
      assert.equal(run.status, 0, run.stderr);
      return run;
    };
    const repo = path.join(dir, 'repo');
    Repo.init(repo, { mode: 'bare' });
    for (const [ref, repos] of [['from/dir', [{ kind: 'dir', url: 'rootfs' }]], ['from/tar', [{ kind: 'tar', url: 'rootfs.tar' }]]] as const) {
      fs.writeFileSync(path.join(dir, `${ref.replace('/', '-')}.json`), JSON.stringify({ ref, repos, packages: [] }));
      arbor('compose', 'tree', path.join(dir, `${ref.replace('/', '-')}.json`), '--repo', repo);
    }
    const opened = Repo.open(repo);
    const root = (ref: string) => opened.readCommit(opened.resolveRev(ref)).rootTree;
    assert.equal(root('from/dir'), root('from/tar'));
    // The checkout is what GNU tar extracts from the same archive.
    const checkout = path.join(dir, 'checkout');
    const { arbor: kernel } = await createArbor({ configPath: path.join(dir, 'arbor.config.json') });
    await checkoutCommit(kernel, opened, { ref: 'from/tar', dest: checkout });
    const gnu = path.join(dir, 'gnu');
    fs.mkdirSync(gnu);
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-xpf', path.join(dir, 'rootfs.tar'), '-C', gnu]);
    assert.deepEqual(describeTree(checkout), describeTree(gnu));
    // Recomposing an unchanged directory changes nothing; one changed byte makes a new commit.
    const again = arbor('compose', 'tree', path.join(dir, 'from-dir.json'), '--repo', repo, '--json').json<{ changed: boolean }>();
    assert.equal(again.changed, false);
    fs.writeFileSync(path.join(dir, 'rootfs/usr/bin/ping'), 'ping2\n');
    const changed = arbor('compose', 'tree', path.join(dir, 'from-dir.json'), '--repo', repo, '--json').json<{ changed: boolean }>();
    assert.equal(changed.changed, true);
  });

  it('takes an xattr from libarchive\'s base64 record exactly, and refuses a binary GNU one it cannot read back', async function () {
    requireTool(this, 'tar', 'python3', 'setfattr', 'getfattr');
    requireRoot(this);
    // cap_setfcap=p (bit 31): its permitted word is 00 00 00 80, which is not UTF-8.
    const caps = '0100000200000080000000000000000000000000';
    const libarchive = path.join(tmp(), 'libarchive.tar');
    writeTars({ [libarchive]: [{ name: 'usr/bin/tool', content: 'tool', mode: 0o755, pax: { 'LIBARCHIVE.xattr.security.capability': Buffer.from(caps, 'hex').toString('base64') } }] });
    const ours = path.join(tmp(), 'ours');
    fs.mkdirSync(ours);
    await extractTarball(libarchive, ours);
    assert.deepEqual(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'security.capability', path.join(ours, 'usr/bin/tool')]), Buffer.from(caps, 'hex'));
    const source = path.join(tmp(), 'gnu-source');
    writeTree(source, { 'usr/bin/tool': 'tool' });
    execFileSync('setfattr', ['-n', 'security.capability', '-v', `0x${caps}`, path.join(source, 'usr/bin/tool')]);
    const gnu = path.join(tmp(), 'gnu.tar');
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', '-C', source, '-cf', gnu, '.']);
    fs.mkdirSync(path.join(tmp(), 'refused'));
    await assert.rejects(extractTarball(gnu, path.join(tmp(), 'refused')), (error: Error & { code?: string }) => {
      assert.equal(error.code, TreeErrorCode.XATTR_UNREADABLE);
      assert.match(error.message, /^gnu\.tar: xattr security\.capability of \.\/usr\/bin\/tool is binary/);
      return true;
    });
  });

  const hostile: Array<[string, TarMember[], string, RegExp]> = [
    ['a ".." name', [{ name: 'usr/../../evil', content: 'x' }], TreeErrorCode.PATH_UNSAFE, /entry "usr\/..\/..\/evil" has a "\.\." component/],
    ['an absolute name', [{ name: '/etc/evil', content: 'x' }], TreeErrorCode.PATH_UNSAFE, /entry "\/etc\/evil" is an absolute path/],
    ['a symlink climbing out of the tree', [{ name: 'usr/lib/x', type: 'symlink', linkname: '../../../etc' }], TreeErrorCode.LINK_ESCAPES, /symlink usr\/lib\/x -> \.\.\/\.\.\/\.\.\/etc points outside the tree/],
    ['a member written through a symlink', [{ name: 'lib', type: 'symlink', linkname: '/tmp' }, { name: 'lib/evil', content: 'x' }], TreeErrorCode.PATH_UNSAFE, /entry lib\/evil goes through lib, which is a symlink/],
    ['a hardlink to a name outside', [{ name: 'x', type: 'hardlink', linkname: '../etc/passwd' }], TreeErrorCode.LINK_ESCAPES, /hardlink x -> \.\.\/etc\/passwd points outside the tree/],
    ['a hardlink to no earlier member', [{ name: 'x', type: 'hardlink', linkname: 'etc/passwd' }], TreeErrorCode.LINK_ESCAPES, /hardlink x -> etc\/passwd names no file earlier/],
    ['a device node', [{ name: 'dev/sda', type: 'chardev' }], TreeErrorCode.SPECIAL_FILE, /entry dev\/sda is a device node/],
    ['a fifo', [{ name: 'run/fifo', type: 'fifo' }], TreeErrorCode.SPECIAL_FILE, /entry run\/fifo is a fifo/],
  ];
  // Python starts slowly here: every hostile archive is written by one run.
  let hostileDir: string | undefined;
  const hostileArchive = (index: number): string => {
    if (!hostileDir) {
      hostileDir = fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'arbor-hostile-tar-'));
      writeTars(Object.fromEntries(hostile.map(([, members], at) => [path.join(hostileDir!, `${at}`, 'hostile.tar'), members])));
    }
    return path.join(hostileDir, `${index}`, 'hostile.tar');
  };
  after(() => hostileDir && fs.rmSync(hostileDir, { recursive: true, force: true }));
  hostile.forEach(([what, , code, message], index) => {
    it(`refuses ${what}, naming the entry, and writes nothing outside the tree`, async function () {
      requireTool(this, 'python3');
      requireRoot(this);
      const archive = hostileArchive(index);
      const tree = path.join(tmp(), 'a', 'tree');
      fs.mkdirSync(tree, { recursive: true });
      await assert.rejects(extractTarball(archive, tree), (error: Error & { code?: string }) => {
        assert.equal(error.code, code);
        assert.match(error.message, /^hostile\.tar: /);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /\n/);
        return true;
      });
      assert.deepEqual(fs.readdirSync(path.join(tmp(), 'a')), ['tree']);
      assert.ok(!fs.existsSync('/tmp/evil') && !fs.existsSync(path.join(tmp(), 'evil')));
    });
  });

  it('refuses a truncated archive and one with a damaged header, and compose commits nothing', async function () {
    requireTool(this, 'tar');
    requireRoot(this);
    const dir = tmp();
    writeTree(path.join(dir, 'src'), { 'big': 'x'.repeat(100_000), 'small': 'y' });
    const archive = path.join(dir, 'rootfs.tar');
    execFileSync('tar', ['-C', path.join(dir, 'src'), '-cf', archive, 'big', 'small']);
    const whole = fs.readFileSync(archive);
    // Cut inside big's data: the header says 100000 bytes, the file holds fewer.
    fs.writeFileSync(archive, whole.subarray(0, 512 + 50_000));
    fs.mkdirSync(path.join(dir, 't1'));
    await assert.rejects(extractTarball(archive, path.join(dir, 't1')), (error: Error & { code?: string }) => {
      assert.equal(error.code, TreeErrorCode.ARCHIVE_INVALID);
      assert.match(error.message, /^rootfs\.tar: .*([Tt]runcated|100000)/);
      return true;
    });
    // One flipped byte in a header's name: its checksum no longer matches.
    const damaged = Buffer.from(whole);
    damaged[0] = damaged[0]! ^ 0x20;
    fs.writeFileSync(archive, damaged);
    fs.mkdirSync(path.join(dir, 't2'));
    await assert.rejects(extractTarball(archive, path.join(dir, 't2')), (error: Error & { code?: string }) => error.code === TreeErrorCode.ARCHIVE_INVALID);
    // Through the CLI: one line naming the archive, and no ref.
    fs.writeFileSync(archive, whole.subarray(0, 512 + 50_000));
    fs.writeFileSync(path.join(dir, 'arbor.config.json'), JSON.stringify({ preset: 'minimal' }));
    fs.writeFileSync(path.join(dir, 'tree.json'), JSON.stringify({ ref: 'cut', repos: [{ kind: 'tar', url: 'rootfs.tar' }], packages: [] }));
    const config = ['--config', path.join(dir, 'arbor.config.json')];
    Repo.init(path.join(dir, 'repo'), { mode: 'bare' });
    const run = runArbor(['compose', 'tree', path.join(dir, 'tree.json'), '--repo', path.join(dir, 'repo'), ...config]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: .*rootfs\.tar: .*\[ARBOR_TREE_ARCHIVE_INVALID\]$/m);
    assert.equal(run.stderr.trim().split('\n').filter((line) => line.startsWith('Error')).length, 1);
    assert.deepEqual(Repo.open(path.join(dir, 'repo')).listRefs(), {});
  });
});
