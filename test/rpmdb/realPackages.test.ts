import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRpm, RpmDatabase, rpmDbEntry } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { REPO_ROOT } from '../support/runArbor';
import { rpmIn, sqliteRows } from './specRpm';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rpmdb');
const CLOCK = 1600000000;
const DB = 'usr/lib/sysimage/rpm/rpmdb.sqlite';
/** Signed Fedora packages with ELF files, IMA file signatures, file capabilities, hardlinks. */
const PACKAGES = ['hello.rpm', 'xmlstarlet.rpm', 'imatest-1.0-1.fc34.noarch.rpm', 'capstest-1.0-1.noarch.rpm', 'hlinktest-1.0-1.noarch.rpm'];

describe('the rpmdb writer on real distribution packages', function () {
  this.timeout(120000);
  let work: string;

  before(function () {
    requireTool(this, 'rpm', 'sqlite3');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpmdb-real-'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('stores what rpm 4.18 stores for signed, IMA-signed, capability and hardlink packages', async function () {
    // rpm sets the capabilities and hardlinks in its scratch root for real, which takes root.
    requireRoot(this);
    const rpmRoot = path.join(work, 'rpm-root');
    for (const name of PACKAGES) {
      execFileSync('rpm', ['--root', rpmRoot, '--dbpath', '/usr/lib/sysimage/rpm', '--define', '_db_backend sqlite', '--define', '_transaction_color 3',
        '-i', '--nodeps', '--noscripts', '--notriggers', '--nosignature', path.join(FIXTURES, name)], { env: { ...process.env, SOURCE_DATE_EPOCH: String(CLOCK) }, stdio: 'pipe' });
    }
    const ourRoot = path.join(work, 'our-root');
    fs.mkdirSync(ourRoot);
    await RpmDatabase.edit(ourRoot, async (db) => {
      for (const name of PACKAGES) {
        const rpm = await openRpm(path.join(FIXTURES, name));
        try {
          db.add(rpmDbEntry(rpm, { tid: CLOCK, installTime: CLOCK, color: 3, bigEndian: false }, name));
        } finally {
          rpm.close();
        }
      }
    }, { fresh: true });

    const blobs = (root: string) => sqliteRows(path.join(root, DB), 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum');
    assert.equal(blobs(ourRoot).length, PACKAGES.length);
    assert.deepEqual(blobs(ourRoot), blobs(rpmRoot));
    const tables = sqliteRows(path.join(ourRoot, DB), `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('Packages', 'sqlite_sequence')`);
    assert.equal(tables.length, 18);
    for (const table of tables) {
      const query = `SELECT quote(key), hnum, idx FROM '${table}' ORDER BY rowid`;
      assert.deepEqual(sqliteRows(path.join(ourRoot, DB), query), sqliteRows(path.join(rpmRoot, DB), query), `table ${table}`);
    }
    // What the merged signature tags give rpm: the key IDs, the IMA signatures, the file colors.
    const query = ['-qa', '--qf', '%{NEVRA} %{RSAHEADER:pgpsig} %{SIGMD5} [%{FILECOLORS}] [%{FILESIGNATURES}]\\n'];
    assert.equal(rpmIn(ourRoot, ...query), rpmIn(rpmRoot, ...query));
    assert.match(rpmIn(ourRoot, '-qi', 'xmlstarlet'), /^Signature *: RSA\/SHA256, .*Key ID 49fd77499570ff31$/m);
  });

  it('refuses a pre-rpm-4 package, whose header has no immutable region to keep, naming it', async () => {
    const name = 'hello-1.0-1.x86_64.rpm-v3';
    const rpm = await openRpm(path.join(FIXTURES, name));
    try {
      assert.throws(() => rpmDbEntry(rpm, { tid: CLOCK, installTime: CLOCK, color: 3, bigEndian: false }, name), (error: Error & { code?: string }) =>
        error.code === 'ARBOR_RPM_UNSUPPORTED' && error.message.startsWith(`${name}: cannot be recorded in the rpmdb: `));
    } finally {
      rpm.close();
    }
  });
});
