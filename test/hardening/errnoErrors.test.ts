import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, type ArborError } from '@arbor/core';
import { blake3 } from '@arbor/core/store';
import { checkoutCommit } from '@arbor/core/store';
import { encodeCommit } from '@arbor/core/store';
import { commitTree } from '@arbor/core/store';
import { encodeDirMeta } from '@arbor/core/store';
import { encodeDirTree } from '@arbor/core/store';
import { encodeFileHeader } from '@arbor/core/store';
import { writeFileObject } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import storagePlugin from '@arbor/plugin-storage';
import { requireRoot } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { buildOsTree, TestSysroot } from '../sysroot/sysrootFixture';

/** A 256 KiB tmpfs, so that ENOSPC is real and quick. */
function tinyFilesystem(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  return () => execFileSync('umount', [dir]);
}

describe('issue 19: errno errors become ArborErrors naming the path and the object', () => {
  const tmp = useTempDir('arbor-harden-errno-');

  it('a name longer than 255 bytes and a read-only target are one-line errors with a code and the path, from any command', async function () {
    const repoPath = path.join(tmp(), 'repo');
    Repo.init(repoPath, { mode: 'archive' });
    const tree = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(tree, 'usr'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'usr', 'file'), 'x\n');
    assert.equal(runArbor(['commit', '--repo', repoPath, '--branch', 'main', '--tree', tree]).status, 0);
    const long = path.join(tmp(), 'x'.repeat(300));
    for (const args of [['checkout', '--repo', repoPath, 'main', long], ['init', '--repo', path.join(long, 'repo')]]) {
      const run = runArbor([...args, '--json']);
      assert.equal(run.status, 1, run.stderr);
      const { error } = run.json<{ error: { code: string; message: string; hint?: string } }>();
      assert.equal(error.code, 'ARBOR_FS_PATH_TOO_LONG', `arbor ${args[0]}`);
      assert.match(error.message, new RegExp(`^Cannot \\w+ ${tmp()}/x{300}.*: a name is longer than 255 bytes`));
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
    if (process.getuid?.() !== 0) return;
    // A read-only mount, as a vfat ESP with errors=remount-ro becomes.
    const readOnly = path.join(tmp(), 'ro');
    fs.mkdirSync(readOnly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', readOnly]);
    try {
      const run = runArbor(['checkout', '--repo', repoPath, 'main', path.join(readOnly, 'out'), '--json']);
      assert.equal(run.status, 1, run.stderr);
      const { error } = run.json<{ error: { code: string; message: string; hint: string } }>();
      assert.equal(error.code, 'ARBOR_FS_READ_ONLY');
      assert.match(error.message, new RegExp(`Cannot \\w+ ${readOnly}/out.*: the filesystem is read-only \\(EROFS\\)$`));
      assert.match(error.hint, /Remount it read-write/);
    } finally {
      execFileSync('umount', [readOnly]);
    }
  });

  it('a symlink object with an empty target fails the checkout as a corrupt object, naming it', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const meta = { mode: 0o120777, uid: 0, gid: 0, size: 0, target: '', xattrs: [] };
    const header = encodeFileHeader(meta);
    const id = blake3(header).toString('hex');
    fs.mkdirSync(path.dirname(repo.objectPath(id, 'filez')), { recursive: true });
    writeFileObject(repo.objectPath(id, 'filez'), 'archive', meta, header, { content: Buffer.alloc(0) });
    const dirMeta = repo.writeMetadataObject('dirmeta', encodeDirMeta({ mode: 0o40755, uid: 0, gid: 0, xattrs: [] }));
    const tree = repo.writeMetadataObject('dirtree', encodeDirTree({ files: [{ name: 'empty-link', file: id }], dirs: [] }));
    repo.setRef('main', repo.writeMetadataObject('commit', encodeCommit({ parent: null, timestamp: 0, rootTree: tree, rootMeta: dirMeta, subject: '', body: '', metadata: {} })));
    const dest = path.join(tmp(), 'dest');
    await assert.rejects(checkoutCommit(new Arbor().use(storagePlugin()), repo, { ref: 'main', dest, strategy: 'copy' }), (error: ArborError) =>
      error.code === 'ARBOR_STORE_OBJECT_CORRUPT' && error.message.includes('empty-link') && error.message.includes(id));
    assert.ok(!fs.existsSync(dest), 'no DEST is left behind');
  });

  it('ENOSPC during a commit names the object and the file it came from', async function () {
    requireRoot(this);
    const unmount = tinyFilesystem(path.join(tmp(), 'tiny'));
    try {
      const repo = Repo.init(path.join(tmp(), 'tiny', 'repo'), { mode: 'archive' });
      fs.mkdirSync(path.join(tmp(), 'tree'));
      fs.writeFileSync(path.join(tmp(), 'tree', 'big.bin'), randomBytes(1 << 20));
      await assert.rejects(commitTree(new Arbor(), repo, { tree: path.join(tmp(), 'tree'), branch: 'main' }), (error: ArborError) =>
        error.code === 'ARBOR_FS_NO_SPACE' && /No space left writing object [0-9a-f]{64} of .*big\.bin/.test(error.message));
    } finally {
      unmount();
    }
  });

  it('ENOSPC during a checkout names the destination file and the object, and leaves no DEST', async function () {
    requireRoot(this);
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    fs.mkdirSync(path.join(tmp(), 'tree'));
    fs.writeFileSync(path.join(tmp(), 'tree', 'big.bin'), randomBytes(1 << 20));
    await commitTree(new Arbor(), repo, { tree: path.join(tmp(), 'tree'), branch: 'main' });
    const unmount = tinyFilesystem(path.join(tmp(), 'tiny'));
    try {
      const dest = path.join(tmp(), 'tiny', 'dest');
      await assert.rejects(checkoutCommit(new Arbor().use(storagePlugin()), repo, { ref: 'main', dest, strategy: 'copy' }), (error: ArborError) =>
        error.code === 'ARBOR_FS_NO_SPACE' && /object [0-9a-f]{64} at .*dest\/big\.bin/.test(error.message));
      assert.ok(!fs.existsSync(dest));
    } finally {
      unmount();
    }
  });

  it('a deploy that fills /boot fails with ARBOR_FS_NO_SPACE and leaves no boot/arbor/*.tmp', async function () {
    requireRoot(this);
    this.timeout(120_000);
    const sysroot = TestSysroot.create(path.join(tmp(), 'sysroot'));
    const tree = path.join(tmp(), 'tree');
    buildOsTree(tree, { version: '1', etc: { 'app.conf': 'v1\n' } });
    fs.writeFileSync(path.join(tree, 'usr/lib/modules/6.0.0/vmlinuz'), randomBytes(1 << 20));
    const { commit } = await commitTree(new Arbor(), Repo.open(sysroot.repoPath), { tree, branch: 'os/x86_64' });
    const unmount = tinyFilesystem(path.join(sysroot.root, 'boot'));
    try {
      const run = runArbor(['deploy', commit, '--sysroot', sysroot.root]);
      assert.equal(run.status, 1, run.stdout);
      assert.match(run.stderr, /ARBOR_FS_NO_SPACE/);
      assert.match(run.stderr, /the kernel 6\.0\.0/);
      const bootArbor = path.join(sysroot.root, 'boot', 'arbor');
      const left = fs.existsSync(bootArbor) ? fs.readdirSync(bootArbor) : [];
      assert.deepEqual(left.filter((name) => name.endsWith('.tmp')), []);
      assert.ok(!fs.existsSync(sysroot.deploymentPath(commit)));
    } finally {
      unmount();
    }
  });
});
