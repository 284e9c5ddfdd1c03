import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { RpmDatabase } from '@arbor/plugin-rpm';
import { useTempDir } from '../support/tempDir';

describe('RpmDatabase edits', () => {
  const tmp = useTempDir('arbor-rpmdb-');
  const dbDir = (tree: string) => path.join(tree, 'usr/lib/sysimage/rpm');

  it('leaves the old database in place, and no temporary file, when an edit fails', async () => {
    const tree = tmp();
    await RpmDatabase.edit(tree, () => undefined, { fresh: true });
    const before = fs.readFileSync(path.join(dbDir(tree), 'rpmdb.sqlite'));
    await assert.rejects(RpmDatabase.edit(tree, (db) => {
      db.add({ nevra: 'x-1-1.noarch', blob: Buffer.alloc(8), rows: new Map() });
      throw new Error('the layering step gave up');
    }), /gave up/);
    assert.ok(fs.readFileSync(path.join(dbDir(tree), 'rpmdb.sqlite')).equals(before));
    assert.deepEqual(fs.readdirSync(dbDir(tree)), ['rpmdb.sqlite']);
    assert.deepEqual(await RpmDatabase.edit(tree, (db) => db.packages()), []);
  });

  it('keeps what an rpm that was cut off left in the write-ahead log, and leaves no log behind', async () => {
    const tree = tmp();
    await RpmDatabase.edit(tree, () => undefined, { fresh: true });
    const file = path.join(dbDir(tree), 'rpmdb.sqlite');
    // rpm writes in WAL mode; a reader still open keeps sqlite from folding the log back in.
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    const reader = new Database(file);
    reader.prepare('SELECT count(*) FROM Packages').get();
    // A header blob with no entries: il 0, dl 0.
    writer.prepare(`INSERT INTO 'Packages' VALUES(NULL, ?)`).run(Buffer.alloc(8));
    writer.close();
    try {
      assert.ok(fs.statSync(`${file}-wal`).size > 0);
      assert.equal(await RpmDatabase.edit(tree, (db) => db.packages().length), 1);
    } finally {
      reader.close();
    }
    assert.deepEqual(fs.readdirSync(dbDir(tree)), ['rpmdb.sqlite']);
    const check = new Database(file, { readonly: true });
    try {
      assert.equal(check.pragma('journal_mode', { simple: true }), 'delete');
      assert.deepEqual(check.prepare('SELECT hnum FROM Packages').all(), [{ hnum: 1 }]);
    } finally {
      check.close();
    }
  });

  it('refuses a symlink on the way to the database instead of writing through it', async () => {
    const tree = tmp();
    const outside = path.join(tree, 'outside');
    fs.mkdirSync(outside);
    const root = path.join(tree, 'root');
    fs.mkdirSync(path.join(root, 'usr'), { recursive: true });
    fs.symlinkSync(outside, path.join(root, 'usr/lib'));
    await assert.rejects(RpmDatabase.edit(root, () => undefined, { fresh: true }), (error: Error & { code?: string }) =>
      error.code === 'ARBOR_RPM_PATH_UNSAFE' && /usr\/lib .*is not a directory \(a symlink/.test(error.message));
    assert.deepEqual(fs.readdirSync(outside), []);
  });
});
