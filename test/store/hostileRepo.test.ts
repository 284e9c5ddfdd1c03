import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo, blake3, checkoutCommit, encodeCommit, encodeDirMeta, encodeFileHeader, S_IFDIR, S_IFLNK, S_IFREG } from '@arbor/core';
import { useTempDir } from '../support/tempDir';
import { storeArbor } from './storeFixture';

type Entry = { name: Buffer; file: string } | { name: Buffer; tree: string; meta: string };

/**
 * A dirtree encoded by hand, byte for byte as docs/format.md §3.2 says, so names the encoder
 * would refuse ("..", "a/b", NUL, duplicates) can be planted the way a hostile server would.
 */
function rawDirTree(entries: Entry[]): Buffer {
  const parts: Buffer[] = [Buffer.from('arbt'), Buffer.of(1), u32(entries.length)];
  for (const entry of entries) {
    parts.push(Buffer.of('file' in entry ? 1 : 2), u16(entry.name.length), entry.name);
    if ('file' in entry) parts.push(Buffer.from(entry.file, 'hex'));
    else parts.push(Buffer.from(entry.tree, 'hex'), Buffer.from(entry.meta, 'hex'));
  }
  return Buffer.concat(parts);
}

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

describe('checkout of a hostile repo', function () {
  this.timeout(30_000);
  const tmp = useTempDir('arbor-hostile-');

  /** Writes an object under its true hash, as a malicious but well-formed server would. */
  function plant(repo: Repo, kind: 'dirtree' | 'dirmeta' | 'commit', bytes: Buffer): string {
    const id = blake3(bytes).toString('hex');
    fs.mkdirSync(path.dirname(repo.objectPath(id, kind)), { recursive: true });
    fs.writeFileSync(repo.objectPath(id, kind), bytes);
    return id;
  }

  function plantFile(repo: Repo, content: string, mode = S_IFREG | 0o644, target = ''): string {
    const data = Buffer.from(content);
    const header = encodeFileHeader({ mode, uid: 0, gid: 0, size: target ? 0 : data.length, target, xattrs: [] });
    const id = blake3(Buffer.concat([header, target ? Buffer.alloc(0) : data])).toString('hex');
    fs.mkdirSync(path.dirname(repo.objectPath(id, 'filez')), { recursive: true });
    fs.writeFileSync(repo.objectPath(id, 'filez'), Buffer.concat([header, Buffer.of(0), target ? Buffer.alloc(0) : data]));
    return id;
  }

  function plantCommit(repo: Repo, root: string, meta: string): void {
    const commit = plant(repo, 'commit', encodeCommit({ parent: null, timestamp: 0, rootTree: root, rootMeta: meta, subject: 'evil', body: '', metadata: {} }));
    repo.setRef('evil', commit);
  }

  /** Every path under the temp dir except the repo: what a checkout wrote, wherever it wrote it. */
  function written(except: string): string[] {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (full === except) continue;
        out.push(full);
        if (entry.isDirectory() && !entry.isSymbolicLink()) walk(full);
      }
    };
    walk(tmp());
    return out;
  }

  const names: Array<[string, Buffer]> = [
    ['"../escape"', Buffer.from('../escape')],
    ['".."', Buffer.from('..')],
    ['"."', Buffer.from('.')],
    ['an empty name', Buffer.alloc(0)],
    ['"a/b"', Buffer.from('a/b')],
    ['a name with NUL', Buffer.from('a\0b')],
    ['"/etc/passwd"', Buffer.from('/etc/passwd')],
  ];

  for (const [label, name] of names) {
    it(`refuses a dirtree naming ${label}, writing nothing`, async () => {
      const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
      const meta = plant(repo, 'dirmeta', encodeDirMeta({ mode: S_IFDIR | 0o755, uid: 0, gid: 0, xattrs: [] }));
      const file = plantFile(repo, 'pwned\n');
      const innocent = plant(repo, 'dirtree', rawDirTree([{ name: Buffer.from('ok'), file }]));
      // The bad name sits one level down, after a good directory, so a writer that checked
      // names lazily would already have written something.
      const evil = plant(repo, 'dirtree', rawDirTree([{ name, file }]));
      const root = plant(repo, 'dirtree', rawDirTree([
        { name: Buffer.from('a-good-dir'), tree: innocent, meta },
        { name: Buffer.from('z-evil'), tree: evil, meta },
      ]));
      plantCommit(repo, root, meta);
      const dest = path.join(tmp(), 'dest');
      await assert.rejects(checkoutCommit(storeArbor(), repo, { ref: 'evil', dest, strategy: 'copy' }), (error: Error & { code?: string }) => {
        assert.ok(['ARBOR_STORE_NAME_INVALID', 'ARBOR_STORE_OBJECT_CORRUPT'].includes(error.code!), error.message);
        assert.match(error.message, new RegExp(evil));
        return true;
      });
      assert.deepEqual(written(repo.path), []);
    });
  }

  it('refuses a name that is both a symlink out of DEST and a directory to write through', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const meta = plant(repo, 'dirmeta', encodeDirMeta({ mode: S_IFDIR | 0o755, uid: 0, gid: 0, xattrs: [] }));
    const outside = path.join(tmp(), 'outside');
    fs.mkdirSync(outside);
    const link = plantFile(repo, '', S_IFLNK | 0o777, outside);
    const payload = plantFile(repo, 'pwned\n');
    const inner = plant(repo, 'dirtree', rawDirTree([{ name: Buffer.from('payload'), file: payload }]));
    const root = plant(repo, 'dirtree', rawDirTree([
      { name: Buffer.from('x'), file: link },
      { name: Buffer.from('x'), tree: inner, meta },
    ]));
    plantCommit(repo, root, meta);
    await assert.rejects(checkoutCommit(storeArbor(), repo, { ref: 'evil', dest: path.join(tmp(), 'dest'), strategy: 'copy' }), /not strictly sorted/);
    assert.deepEqual(fs.readdirSync(outside), []);
    assert.equal(fs.existsSync(path.join(tmp(), 'dest')), false);
  });

  it('refuses a file object whose header claims a directory', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const meta = plant(repo, 'dirmeta', encodeDirMeta({ mode: S_IFDIR | 0o755, uid: 0, gid: 0, xattrs: [] }));
    const header = Buffer.concat([Buffer.from('arbf'), Buffer.of(1), u32(S_IFDIR | 0o755), u32(0), u32(0), Buffer.alloc(8), u32(0), u32(0)]);
    const id = blake3(header).toString('hex');
    fs.mkdirSync(path.dirname(repo.objectPath(id, 'filez')), { recursive: true });
    fs.writeFileSync(repo.objectPath(id, 'filez'), Buffer.concat([header, Buffer.of(0)]));
    plantCommit(repo, plant(repo, 'dirtree', rawDirTree([{ name: Buffer.from('d'), file: id }])), meta);
    const dest = path.join(tmp(), 'dest');
    await assert.rejects(checkoutCommit(storeArbor(), repo, { ref: 'evil', dest, strategy: 'copy' }), /file type 40000/);
    assert.ok(!fs.existsSync(dest), 'a failed checkout leaves no DEST it made (issue 19)');
  });

  it('refuses a --subpath that climbs out of the tree', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'archive' });
    const meta = plant(repo, 'dirmeta', encodeDirMeta({ mode: S_IFDIR | 0o755, uid: 0, gid: 0, xattrs: [] }));
    plantCommit(repo, plant(repo, 'dirtree', rawDirTree([])), meta);
    await assert.rejects(checkoutCommit(storeArbor(), repo, { ref: 'evil', dest: path.join(tmp(), 'dest'), subpath: '../..' }), /no such path/);
  });
});
