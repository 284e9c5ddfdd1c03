import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { RpmErrorCode } from '../RpmError';
import { ArborError } from '@arbor/core/errors';
import { Tag } from '../RpmTag';
import { blobString, blobUint32, readHeaderBlob } from './HeaderBlob';
import { RPMDB_INDEXES, type IndexRow } from './RpmDbIndex';

/** Where rpm >= 4.16 keeps its database (Fedora's %_dbpath), relative to the tree's root. */
export const RPMDB_DIR = 'usr/lib/sysimage/rpm';
/** The sqlite backend's file name (lib/backend/sqlite.c, sqlite_dbops.path). */
export const RPMDB_FILE = 'rpmdb.sqlite';

/** A package ready to be stored: its header blob and its rows for each index table. */
export interface RpmDbEntry {
  nevra: string;
  blob: Buffer;
  rows: Map<string, IndexRow[]>;
}

/** A package an rpmdb holds, read back from its header blob. */
export interface RpmDbPackage {
  hnum: number;
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
}

export interface RpmDatabaseEditOptions {
  /** Start from an empty database even when the tree has one (a compose writes the whole set). */
  fresh?: boolean;
}

/**
 * An rpmdb in rpm's sqlite format (rpm >= 4.16, `%_db_backend sqlite`): a `Packages` table of
 * (hnum, blob) and one table of (key, hnum, idx) per indexed tag, created with the same
 * statements rpm uses, so rpm finds nothing to create or migrate when it opens the file.
 *
 * Edits are atomic: they go to a copy beside the database, which replaces it by rename once
 * complete. The result is in rollback-journal mode, not rpm's WAL, so rpm can read it on a
 * read-only /usr without creating -wal and -shm files; rpm switches a database it opens for
 * writing to WAL itself.
 */
export class RpmDatabase {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  private constructor(private readonly db: BetterSqlite3.Database) {}

  private statement(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Opens the tree's database (or a new one), runs `change` in one transaction and puts the
   * result in place. Layering calls this on a deployment's tree to add and remove packages.
   */
  static async edit<T>(tree: string, change: (db: RpmDatabase) => T | Promise<T>, options: RpmDatabaseEditOptions = {}): Promise<T> {
    const dir = databaseDir(tree);
    const file = path.join(dir, RPMDB_FILE);
    const temp = path.join(dir, `.${RPMDB_FILE}.arbor-${process.pid}-${Date.now()}`);
    const Database = loadSqlite();
    try {
      if (!options.fresh && fs.existsSync(file)) copyDatabase(Database, file, temp);
      const db = new Database(temp);
      try {
        // The copy is private until renamed and is deleted on any failure, so sqlite needs no
        // journal and no syncs of its own; the finished file is synced once, below. A file
        // that is not WAL reads back as journal_mode DELETE.
        if (db.pragma('journal_mode', { simple: true }) === 'wal') db.pragma('journal_mode = DELETE');
        db.pragma('journal_mode = OFF');
        db.pragma('synchronous = OFF');
        const rpmdb = new RpmDatabase(db);
        rpmdb.createTables();
        db.exec('BEGIN');
        const result = await change(rpmdb);
        db.exec('COMMIT');
        db.close();
        fs.chmodSync(temp, 0o644);
        syncFile(temp);
        fs.renameSync(temp, file);
        // A WAL rpm left beside the old file is folded into the new one (copyDatabase) and must
        // not be replayed onto it; the new file is in rollback mode, so sqlite ignores it meanwhile.
        fs.rmSync(`${file}-wal`, { force: true });
        fs.rmSync(`${file}-shm`, { force: true });
        syncFile(dir);
        return result;
      } finally {
        if (db.open) db.close();
      }
    } finally {
      fs.rmSync(temp, { force: true });
      fs.rmSync(`${temp}-journal`, { force: true });
    }
  }

  /**
   * Every stored header blob of the tree's database, in hnum order; empty when the tree has
   * none. The file is read through a private copy: the tree may be a hardlink checkout whose
   * database is a store object, and sqlite must not leave a -shm or -journal beside it.
   */
  static readBlobs(tree: string): { hnum: number; blob: Buffer }[] {
    const file = path.join(tree, RPMDB_DIR, RPMDB_FILE);
    if (!fs.existsSync(file)) return [];
    const Database = loadSqlite();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpmdb-read-'));
    try {
      const copy = path.join(dir, RPMDB_FILE);
      copyDatabase(Database, file, copy);
      const db = new Database(copy, { readonly: true, fileMustExist: true });
      try {
        return db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: number; blob: Buffer }[];
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Every package, in hnum order (the order `rpm -qa` lists them). */
  packages(): RpmDbPackage[] {
    const rows = this.db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as { hnum: number; blob: Buffer }[];
    return rows.map(({ hnum, blob }) => {
      const entries = readHeaderBlob(blob, (message) => new ArborError(RpmErrorCode.HEADER_INVALID, `rpmdb package ${hnum}: ${message}`));
      return {
        hnum,
        name: blobString(entries.get(Tag.NAME)) ?? '',
        epoch: blobUint32(entries.get(Tag.EPOCH)) ?? null,
        version: blobString(entries.get(Tag.VERSION)) ?? '',
        release: blobString(entries.get(Tag.RELEASE)) ?? '',
        arch: blobString(entries.get(Tag.ARCH)) ?? '',
      };
    });
  }

  /** Stores a package and its index rows, as rpmdbAdd does; returns its hnum. */
  add(entry: RpmDbEntry): number {
    const { lastInsertRowid } = this.statement(`INSERT INTO 'Packages' VALUES(NULL, ?)`).run(entry.blob);
    const hnum = Number(lastInsertRowid);
    for (const index of RPMDB_INDEXES) {
      const rows = entry.rows.get(index.table) ?? [];
      if (!rows.length) continue;
      const insert = this.statement(`INSERT INTO '${index.table}' VALUES(?, ?, ?)`);
      for (const row of rows) insert.run(row.key, hnum, row.idx);
    }
    return hnum;
  }

  /** Removes a package and its index rows, as rpmdbRemove does. */
  remove(hnum: number): void {
    for (const index of RPMDB_INDEXES) this.statement(`DELETE FROM '${index.table}' WHERE hnum=?`).run(hnum);
    this.statement(`DELETE FROM 'Packages' WHERE hnum=?`).run(hnum);
  }

  /** rpm's own DDL (lib/backend/sqlite.c, init_table and init_index), in rpm's table order. */
  private createTables(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,blob BLOB NOT NULL)`);
    for (const index of RPMDB_INDEXES) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS '${index.table}' (key '${index.keyType}' NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum))`);
      if (index.keyType === 'TEXT') this.db.exec(`CREATE INDEX IF NOT EXISTS '${index.table}_key_idx' ON '${index.table}'(key ASC)`);
      if (index.array) this.db.exec(`CREATE INDEX IF NOT EXISTS '${index.table}_hnum_idx' ON '${index.table}'(hnum ASC)`);
    }
  }
}

/** better-sqlite3 loads a native addon; only composes and layering that write a db pay for it. */
function loadSqlite(): typeof BetterSqlite3 {
  return require('better-sqlite3') as typeof BetterSqlite3;
}

/**
 * A database rpm has written may keep recent changes in its -wal file; VACUUM INTO folds them
 * into the copy. Otherwise the file is copied as it is.
 */
function copyDatabase(Database: typeof BetterSqlite3, file: string, temp: string): void {
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) {
    const source = new Database(file, { readonly: true, fileMustExist: true });
    try {
      source.prepare('VACUUM INTO ?').run(temp);
    } finally {
      source.close();
    }
  } else {
    fs.copyFileSync(file, temp);
  }
}

/**
 * The database directory inside `tree`, created (0755) where missing. Each component is
 * checked with lstat: a symlink on the way is refused, never followed out of the tree.
 */
function databaseDir(tree: string): string {
  let dir = tree;
  for (const part of RPMDB_DIR.split('/')) {
    dir = path.join(dir, part);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!stat) fs.mkdirSync(dir, { mode: 0o755 });
    else if (!stat.isDirectory()) {
      throw new ArborError(RpmErrorCode.PATH_UNSAFE, `Cannot write the rpmdb: ${path.relative(tree, dir)} in ${tree} is not a directory${stat.isSymbolicLink() ? ' (a symlink, which Arbor never follows)' : ''}`);
    }
  }
  return dir;
}

function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
