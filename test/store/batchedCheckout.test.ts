import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FsBatch, Repo, checkoutCommit, commitTree } from '@arbor/core';
import { requireRoot } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';
import { describeTree, storeArbor } from './storeFixture';

describe('native fs batches (FsBatch)', () => {
  const tmp = useTempDir('arbor-fsbatch-');

  it('runs every operation in order and reports each failure by index and errno code', async () => {
    const base = tmp();
    fs.writeFileSync(path.join(base, 'target'), 'x');
    const batch = new FsBatch();
    batch.mkdir(path.join(base, 'a'));
    batch.mkdir(path.join(base, 'missing', 'b')); // 1: parent missing
    batch.link(path.join(base, 'target'), path.join(base, 'a', 'link'));
    batch.link(path.join(base, 'nope'), path.join(base, 'a', 'dangling')); // 3: no target
    batch.mkdir(path.join(base, 'a')); // 4: exists
    batch.chownChmod(path.join(base, 'a'), -1, -1, 0o750);
    const failures = await batch.runAsync();
    assert.deepEqual(failures, [
      { index: 1, code: 'ENOENT' },
      { index: 3, code: 'ENOENT' },
      { index: 4, code: 'EEXIST' },
    ]);
    assert.equal(fs.statSync(path.join(base, 'a', 'link')).ino, fs.statSync(path.join(base, 'target')).ino);
    assert.equal(fs.statSync(path.join(base, 'a')).mode & 0o7777, 0o750);
  });

  it('keeps names that are not UTF-8 byte for byte', () => {
    const base = tmp();
    const name = Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0x64]).toString('latin1');
    const batch = new FsBatch();
    batch.mkdir(`${base}/${name}`);
    assert.deepEqual(batch.run(), []);
    assert.ok(fs.readdirSync(base, { encoding: 'buffer' }).some((entry) => entry.equals(Buffer.from(name, 'latin1'))));
  });

  it('writes whole objects: content, owner, mode, xattrs, zero times, symlinks; a failure leaves nothing', async function () {
    const base = tmp();
    const root = process.getuid?.() === 0;
    const batch = new FsBatch();
    const xattrs: [string, Buffer][] = [['user.arbor.test', Buffer.from('value')]];
    batch.writeObject({ temp: `${base}/f.tmp`, dest: `${base}/f`, content: Buffer.from('hello'), uid: root ? 123 : -1, gid: root ? 456 : -1, mode: 0o104755, xattrs, zeroTimes: true });
    batch.writeObject({ temp: `${base}/l.tmp`, dest: `${base}/l`, content: Buffer.from('../target'), uid: -1, gid: -1, mode: 0o120777, zeroTimes: true });
    batch.writeObject({ temp: `${base}/x.tmp`, dest: `${base}/missing/x`, content: Buffer.from('x'), uid: -1, gid: -1, mode: 0o100644 }); // 2: no such dir
    batch.writeObject({ temp: `${base}/y.tmp`, dest: `${base}/y`, content: Buffer.from('y'), uid: -1, gid: -1, mode: 0o100644, xattrs: [['bogus.name', Buffer.from('v')]] }); // 3: bad xattr namespace
    batch.rename(`${base}/f`, `${base}/renamed`);
    assert.deepEqual((await batch.runAsync()).map((failure) => failure.index), [2, 3]);
    const stat = fs.statSync(`${base}/renamed`);
    assert.equal(fs.readFileSync(`${base}/renamed`, 'utf8'), 'hello');
    assert.equal(stat.mode, 0o104755); // chown before chmod: setuid survives
    if (root) assert.deepEqual([stat.uid, stat.gid], [123, 456]);
    assert.equal(stat.mtimeMs, 0);
    assert.equal(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'user.arbor.test', `${base}/renamed`]).toString(), 'value');
    assert.equal(fs.readlinkSync(`${base}/l`), '../target');
    assert.equal(fs.lstatSync(`${base}/l`).mtimeMs, 0);
    assert.deepEqual(fs.readdirSync(base).sort(), ['l', 'renamed']); // no temp files, no half-written y
  });

  it('writes large contents passed beside the batch as they are, on this thread and on the pool', async () => {
    const base = tmp();
    const contents = [4095, 4096, 100_000, 3 << 20].map((size, n) => crypto.randomBytes(size).fill(n, 0, 1));
    for (const mode of ['run', 'runAsync'] as const) {
      const batch = new FsBatch();
      contents.forEach((content, n) => batch.writeObject({ temp: `${base}/${mode}${n}.tmp`, dest: `${base}/${mode}${n}`, content, uid: -1, gid: -1, mode: 0o100644 }));
      batch.mkdir(`${base}/${mode}-after`);
      assert.deepEqual(mode === 'run' ? batch.run() : await batch.runAsync(), []);
      contents.forEach((content, n) => assert.ok(fs.readFileSync(`${base}/${mode}${n}`).equals(content), `${mode} object ${n}`));
      assert.ok(fs.statSync(`${base}/${mode}-after`).isDirectory());
    }
  });

  it('refuses an empty path or one holding NUL before anything runs', () => {
    assert.throws(() => new FsBatch().mkdir(''), /bad path/);
    assert.throws(() => new FsBatch().link('/a\0b', '/c'), /bad path/);
  });
});

describe('hardlink checkout by native batches: failures are redone with full error handling', function () {
  this.timeout(60_000);
  const tmp = useTempDir('arbor-batched-');

  function commitWideTree(): { repo: Repo; tree: string } {
    const tree = path.join(tmp(), 'tree');
    for (let index = 0; index < 600; index++) {
      const dir = path.join(tree, `d${index % 12}`, `e${index % 5}`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `f${index}`), `file ${index}\n`);
    }
    fs.chmodSync(path.join(tree, 'd3'), 0o555);
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'bare' });
    return { repo, tree };
  }

  it('names a missing file object, and a re-run after repair succeeds', async function () {
    requireRoot(this);
    const { repo, tree } = commitWideTree();
    await commitTree(storeArbor(), repo, { tree, branch: 'wide' });
    const commit = repo.readCommit(repo.resolveRev('wide'));
    const d7 = repo.readDirTree(repo.readDirTree(commit.rootTree).dirs.find((dir) => dir.name === 'd7')!.tree);
    const victim = repo.readDirTree(d7.dirs[0]!.tree).files[0]!.file;
    const object = repo.objectPath(victim, 'file');
    const saved = path.join(tmp(), 'saved');
    fs.renameSync(object, saved);

    const dest = path.join(tmp(), 'co');
    await assert.rejects(checkoutCommit(storeArbor(), repo, { ref: 'wide', dest }), (error: Error & { code?: string }) => {
      assert.match(error.message, new RegExp(victim));
      return true;
    });
    fs.renameSync(saved, object);
    fs.rmSync(dest, { recursive: true, force: true });
    await checkoutCommit(storeArbor(), repo, { ref: 'wide', dest });
    assert.deepEqual(describeTree(dest).entries, describeTree(tree).entries);
  });
});
