import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeDirTree, encodeDirTree, ObjectIndex, type DirTree } from '@arbor/core';
import { encodeSizeIndex, SizeIndex, type SizeEntry } from '@arbor/core/remote';

/** A random object ID, as the store names them. */
function randomId(): string {
  return crypto.randomBytes(32).toString('hex');
}

/** Creates objects/XX/<rest>.<kind> files, as a repo holds them. */
function place(repo: string, id: string, kind: string): void {
  const shard = path.join(repo, 'objects', id.slice(0, 2));
  fs.mkdirSync(shard, { recursive: true });
  fs.writeFileSync(path.join(shard, `${id.slice(2)}.${kind}`), '');
}

describe('the object index', () => {
  let repo: string;
  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-index-'));
    fs.mkdirSync(path.join(repo, 'objects'));
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('knows each object by ID and kind, whether read up front or shard by shard', async () => {
    const present = Array.from({ length: 1500 }, (_, n) => ({ id: randomId(), kind: (['file', 'dirtree', 'dirmeta', 'filez'] as const)[n % 4]! }));
    for (const { id, kind } of present) place(repo, id, kind);
    const absent = Array.from({ length: 500 }, randomId);

    const prefetched = new ObjectIndex(repo);
    await prefetched.prefetch();
    const onDemand = new ObjectIndex(repo);
    for (const index of [prefetched, onDemand]) {
      for (const { id, kind } of present) {
        assert.equal(index.has(id, kind), true, `${id}.${kind}`);
        assert.equal(index.has(id, 'commit'), false, `${id} as a commit`);
      }
      for (const id of absent) assert.equal(index.has(id, 'file'), false);
    }
  });

  it('answers from a shard read on demand while the prefetch is still running, and after it lands', async () => {
    const id = randomId();
    place(repo, id, 'dirtree');
    const index = new ObjectIndex(repo);
    const prefetch = index.prefetch();
    assert.equal(index.has(id, 'dirtree'), true);
    await prefetch;
    assert.equal(index.has(id, 'dirtree'), true);
    assert.equal(index.has(id, 'file'), false);
  });

  it('records objects added during the operation, kind by kind', async () => {
    const index = new ObjectIndex(repo);
    await index.prefetch();
    const id = randomId();
    assert.equal(index.has(id, 'file'), false);
    index.add(id, 'file');
    assert.equal(index.has(id, 'file'), true);
    assert.equal(index.has(id, 'dirtree'), false);
    index.add(id, 'dirtree');
    assert.equal(index.has(id, 'file'), true);
    assert.equal(index.has(id, 'dirtree'), true);
  });

  it('ignores temp files, stray names and a missing objects directory', async () => {
    const id = randomId();
    const shard = path.join(repo, 'objects', id.slice(0, 2));
    fs.mkdirSync(shard, { recursive: true });
    fs.writeFileSync(path.join(shard, `${id.slice(2)}.file.tmp1234`), '');
    fs.writeFileSync(path.join(shard, `${id.slice(2).toUpperCase()}.file`), '');
    fs.writeFileSync(path.join(shard, 'README'), '');
    const index = new ObjectIndex(repo);
    await index.prefetch();
    assert.equal(index.has(id, 'file'), false);
    const empty = new ObjectIndex(path.join(repo, 'nowhere'));
    await empty.prefetch();
    assert.equal(empty.has(id, 'file'), false);
  });

  it('lists what a size index names and the repo lacks, in one pass, looking filez up as file', async () => {
    const entries: SizeEntry[] = [];
    const expected = new Set<string>();
    for (let n = 0; n < 2000; n++) {
      const id = randomId();
      const kind = (['filez', 'dirtree', 'dirmeta', 'commit'] as const)[n % 4];
      entries.push({ id, kind, size: n });
      const local = kind === 'filez' ? 'file' : kind;
      if (n % 3 === 0) place(repo, id, local);
      else if (kind !== 'commit') expected.add(`${id}.${kind}`);
    }
    const sizes = new SizeIndex(encodeSizeIndex(entries), 'test size index');
    const index = new ObjectIndex(repo);
    await index.prefetch();
    const missing = sizes.missingFrom(index, (kind) => (kind === 'commit' ? undefined : kind === 'filez' ? 'file' : kind));
    assert.deepEqual(new Set(missing.map((entry) => `${entry.id}.${entry.kind}`)), expected);
    for (const entry of missing) assert.equal(entry.size, entries.find((candidate) => candidate.id === entry.id)!.size);
  });

  describe('scanning a dirtree', () => {
    /** A dirtree of `files` files and `dirs` directories with random IDs and varied names. */
    function randomTree(files: number, dirs: number): DirTree {
      const names = new Set<string>();
      while (names.size < files + dirs) {
        const length = 1 + Math.floor(Math.random() * 12);
        names.add(Array.from({ length }, () => String.fromCharCode(0x20 + Math.floor(Math.random() * 0xdf))).join('').replace(/[/.]/g, 'x'));
      }
      const list = [...names];
      return {
        files: list.slice(0, files).map((name) => ({ name, file: randomId() })),
        dirs: list.slice(files).map((name) => ({ name, tree: randomId(), meta: randomId() })),
      };
    }

    it('lists what the repo lacks, as decoding and looking up each entry would', async () => {
      const tree = randomTree(300, 60);
      tree.files.forEach((entry, n) => n % 2 === 0 && place(repo, entry.file, 'file'));
      tree.dirs.forEach((entry, n) => {
        if (n % 3 !== 0) place(repo, entry.tree, 'dirtree');
        if (n % 4 !== 0) place(repo, entry.meta, 'dirmeta');
      });
      const index = new ObjectIndex(repo);
      await index.prefetch();
      const scan = index.scanDirTree(encodeDirTree(tree), 'file');
      assert.ok(scan);
      const decoded = decodeDirTree(encodeDirTree(tree), 'test');
      assert.deepEqual(scan.files, decoded.files.filter((entry) => !index.has(entry.file, 'file')).map((entry) => entry.file));
      assert.deepEqual(scan.dirs, decoded.dirs.filter((entry) => !index.has(entry.tree, 'dirtree') || !index.has(entry.meta, 'dirmeta')).map(({ tree, meta }) => ({ tree, meta })));
    });

    it('accepts exactly the dirtrees the decoder accepts, over thousands of damaged ones', async () => {
      const index = new ObjectIndex(repo);
      await index.prefetch();
      const good = encodeDirTree(randomTree(6, 3));
      const hostile = (name: string) => {
        // A valid layout around a name the encoder would refuse.
        const body = Buffer.concat([Buffer.from([1, 0, name.length]), Buffer.from(name, 'latin1'), crypto.randomBytes(32)]);
        return Buffer.concat([Buffer.from('arbt\x01\x00\x00\x00\x01', 'latin1'), body]);
      };
      const cases: Buffer[] = [good, hostile('..'), hostile('.'), hostile('a/b'), hostile('a\0b'), hostile(''), hostile('x'.repeat(256))];
      for (let n = 0; n < 3000; n++) {
        const damaged = Buffer.from(good);
        const mutation = n % 4;
        if (mutation === 0) damaged[Math.floor(Math.random() * damaged.length)] ^= 1 << Math.floor(Math.random() * 8);
        if (mutation === 1) damaged[Math.floor(Math.random() * damaged.length)] = [0, 0x2e, 0x2f, 1, 2, 3, 0xff][n % 7]!;
        cases.push(mutation === 2 ? damaged.subarray(0, Math.floor(Math.random() * damaged.length)) : mutation === 3 ? Buffer.concat([damaged, Buffer.of(n & 0xff)]) : damaged);
      }
      for (const bytes of cases) {
        let decodes = true;
        try {
          decodeDirTree(bytes, 'test');
        } catch {
          decodes = false;
        }
        assert.equal(index.scanDirTree(bytes, 'file') !== undefined, decodes, bytes.toString('hex'));
      }
    });
  });
});
