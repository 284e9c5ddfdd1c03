import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRpm, RpmDatabase, rpmDbEntry } from '@arbor/plugin-rpm';
import { requireTool } from '../support/requireTool';
import { buildSpecRpm, rpmIn, sqliteRows } from './specRpm';

/** The transaction clock both rpm and Arbor use here (rpm reads SOURCE_DATE_EPOCH). */
const CLOCK = 1700000000;
const DB = 'usr/lib/sysimage/rpm/rpmdb.sqlite';
const INDEX_TABLES = ['Name', 'Basenames', 'Group', 'Requirename', 'Providename', 'Conflictname', 'Obsoletename', 'Triggername', 'Dirnames',
  'Installtid', 'Sigmd5', 'Sha1header', 'Filetriggername', 'Transfiletriggername', 'Recommendname', 'Suggestname', 'Supplementname', 'Enhancename'];

const PREAMBLE = (name: string, extra: string) => `Name: ${name}
Version: 1.0
Release: 1
Summary: rpmdb test package
License: MIT
BuildArch: noarch
AutoReqProv: no
${extra}
%description
Built by the Arbor rpmdb tests.
`;

/** Packages whose headers exercise every index and every tag rpm adds at install. */
function buildPackages(work: string): string[] {
  return [
    buildSpecRpm(work, 'everything', `${PREAMBLE('everything', `Epoch: 2
Group: System Environment/Tools
Requires: /bin/sh
Requires: greeting >= 2.0
Requires(pre): coreutils
Requires(post): sed
Requires(preun): grep
Requires: (foo >= 1.2 if bar else baz)
Requires: (pkg-a or (pkg-b and pkg-c))
Requires: (x-pkg if (y-pkg and y-two) else z-pkg)
Conflicts: (c-pkg unless c-cond)
Requires: (a-lib with a-lib-extra >= 2)
Provides: everything-api = 3
Provides: /usr/bin/everything-alias
Conflicts: (old-a or old-b)
Conflicts: broken < 1
Obsoletes: everything-old < 2
Recommends: (hint-x and hint-y)
Suggests: maybe-this
Supplements: (hello and langpacks-fr)
Enhances: other-thing`)}
%install
mkdir -p %{buildroot}/usr/share/everything
ln %{buildroot}/usr/share/everything/a %{buildroot}/usr/share/everything/a-link
ln -s a %{buildroot}/usr/share/everything/a-sym
%triggerin -- trig-one
true
%triggerun -- trig-one
true
%triggerin -- trig-two
true
%filetriggerin -- /usr/lib/everything
true
%transfiletriggerin -- /usr/share/everything
true
%files
%attr(0755,root,root) /usr/bin/everything
/usr/share/everything/a
/usr/share/everything/a-link
/usr/share/everything/a-sym
%dir /usr/share/everything
%config(noreplace) /etc/everything.conf
%doc /usr/share/doc/everything/README
%lang(fr) /usr/share/everything/fr.txt
%ghost /var/log/everything.log
`, {
      '/usr/bin/everything': '#!/bin/sh\necho everything\n',
      '/usr/share/everything/a': 'shared content\n',
      '/etc/everything.conf': 'level=1\n',
      '/usr/share/doc/everything/README': 'Read me.\n',
      '/usr/share/everything/fr.txt': 'bonjour\n',
    }),
    buildSpecRpm(work, 'relocatable', `${PREAMBLE('relocatable', 'Prefix: /opt/reloc')}
%install
%files
/opt/reloc/bin/tool
`, { '/opt/reloc/bin/tool': 'tool\n' }),
    buildSpecRpm(work, 'meta-only', `${PREAMBLE('meta-only', 'Requires: everything')}
%install
%files
`),
  ];
}

describe('the rpmdb writer, against what rpm 4.18 writes itself', function () {
  this.timeout(120000);
  let work: string;
  let packages: string[];
  let rpmRoot: string;
  let ourRoot: string;

  before(async function () {
    requireTool(this, 'rpmbuild', 'rpm', 'sqlite3');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpmdb-format-'));
    packages = buildPackages(work);
    // rpm's reference: each package installed by its own transaction (so each gets the same
    // TID and time under SOURCE_DATE_EPOCH), scripts and triggers off, into a scratch root.
    rpmRoot = path.join(work, 'rpm-root');
    for (const file of packages) {
      execFileSync('rpm', ['--root', rpmRoot, '--dbpath', '/usr/lib/sysimage/rpm', '--define', '_db_backend sqlite', '--define', '_transaction_color 3',
        '-i', '--nodeps', '--noscripts', '--notriggers', file], { env: { ...process.env, SOURCE_DATE_EPOCH: String(CLOCK) }, stdio: 'pipe' });
    }
    ourRoot = path.join(work, 'our-root');
    fs.mkdirSync(ourRoot);
    await RpmDatabase.edit(ourRoot, async (db) => {
      for (const file of packages) {
        const rpm = await openRpm(file);
        try {
          db.add(rpmDbEntry(rpm, { tid: CLOCK, installTime: CLOCK, color: 3, bigEndian: false }, file));
        } finally {
          rpm.close();
        }
      }
    }, { fresh: true });
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('stores each header blob byte for byte as rpm does, with the signature and install tags it adds', () => {
    const ours = sqliteRows(path.join(ourRoot, DB), 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum');
    const theirs = sqliteRows(path.join(rpmRoot, DB), 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum');
    assert.equal(ours.length, 3);
    assert.deepEqual(ours, theirs);
  });

  it('fills every index table with the rows rpm writes, in its order', () => {
    for (const table of INDEX_TABLES) {
      const query = `SELECT quote(key), hnum, idx FROM '${table}' ORDER BY rowid`;
      assert.deepEqual(sqliteRows(path.join(ourRoot, DB), query), sqliteRows(path.join(rpmRoot, DB), query), `table ${table}`);
    }
    // Spot checks of what the rules above mean: transient requires are left out, rich
    // dependencies add their names (negated inside if/else), repeated trigger names count once.
    const requires = sqliteRows(path.join(ourRoot, DB), `SELECT key FROM Requirename WHERE hnum = 1 ORDER BY rowid`);
    assert.ok(!requires.includes('coreutils') && !requires.includes('sed') && requires.includes('grep'));
    assert.deepEqual(requires.slice(requires.indexOf('(foo >= 1.2 if bar else baz)')).slice(0, 5), ['(foo >= 1.2 if bar else baz)', 'bar', 'baz', 'foo', '!bar']);
    assert.deepEqual(sqliteRows(path.join(ourRoot, DB), `SELECT key FROM Triggername ORDER BY rowid`), ['trig-one', 'trig-two']);
  });

  it('creates the schema rpm creates, which rpm verifies without complaint', () => {
    const schema = (root: string) => sqliteRows(path.join(root, DB), `SELECT type, name, sql FROM sqlite_master WHERE name <> 'sqlite_stat1' ORDER BY rowid`);
    assert.deepEqual(schema(ourRoot), schema(rpmRoot));
    // Rollback journal, not WAL: rpm reads it on a read-only /usr without making -wal/-shm files.
    assert.deepEqual(sqliteRows(path.join(ourRoot, DB), 'PRAGMA journal_mode'), ['delete']);
    rpmIn(ourRoot, '-qa');
    assert.deepEqual(fs.readdirSync(path.join(ourRoot, 'usr/lib/sysimage/rpm')), ['rpmdb.sqlite']);
    // rpmdb --verifydb runs sqlite's integrity_check and foreign_key_check (lib/backend/sqlite.c).
    execFileSync('rpmdb', ['--root', ourRoot, '--dbpath', '/usr/lib/sysimage/rpm', '--verifydb'], { stdio: 'pipe' });
  });

  it('answers rpm queries as rpm\'s own database does', () => {
    const queries = [
      ['-qa', '--qf', '%{NEVRA} %{INSTALLTIME} %{INSTALLTID} %{INSTALLCOLOR} %{SIGMD5} %{SHA256HEADER}\\n'],
      ['-q', '--whatprovides', 'everything-api'],
      ['-q', '--whatrequires', 'baz'],
      ['-q', '--whatconflicts', 'old-b'],
      ['-q', '--whatrecommends', 'hint-y'],
      ['-q', '--whatsupplements', 'langpacks-fr'],
      ['-q', '--triggeredby', 'trig-one'],
      ['-qf', '/usr/share/everything/a-link'],
      ['-q', '--qf', '[%{INSTPREFIXES}\\n]', 'relocatable'],
      ['-q', '--qf', '[%{FILESTATES:fstate} %{FILENAMES}\\n]', 'everything'],
      ['-qi', 'everything'],
    ];
    for (const query of queries) assert.equal(rpmIn(ourRoot, ...query), rpmIn(rpmRoot, ...query), `rpm ${query.join(' ')}`);
  });

  it('adds to and removes from an existing database, as layering will', async () => {
    const layered = path.join(work, 'layered');
    fs.cpSync(ourRoot, layered, { recursive: true });
    const removed = await RpmDatabase.edit(layered, (db) => {
      const relocatable = db.packages().find((pkg) => pkg.name === 'relocatable')!;
      db.remove(relocatable.hnum);
      return relocatable.hnum;
    });
    assert.equal(removed, 2);
    assert.equal(rpmIn(layered, '-qa', '--qf', '%{NEVRA} %{DBINSTANCE}\\n'), 'everything-2:1.0-1.noarch 1\nmeta-only-1.0-1.noarch 3\n');
    await RpmDatabase.edit(layered, async (db) => {
      const rpm = await openRpm(packages[1]!);
      try {
        db.add(rpmDbEntry(rpm, { tid: CLOCK + 60, installTime: CLOCK + 60, color: 3, bigEndian: false }, packages[1]!));
      } finally {
        rpm.close();
      }
    });
    // AUTOINCREMENT: a removed package's hnum is never reused, as in rpm.
    assert.equal(rpmIn(layered, '-q', '--qf', '%{DBINSTANCE} %{INSTALLTID}\\n', 'relocatable'), `4 ${CLOCK + 60}\n`);
    assert.equal(rpmIn(layered, '-qf', '/opt/reloc/bin/tool'), 'relocatable-1.0-1.noarch\n');
    assert.deepEqual(sqliteRows(path.join(layered, DB), `SELECT count(*) FROM Basenames WHERE hnum = 2`), ['0']);
    execFileSync('rpmdb', ['--root', layered, '--dbpath', '/usr/lib/sysimage/rpm', '--verifydb'], { stdio: 'pipe' });
  });

  it('can be changed by rpm itself, and edited again after rpm has (in its WAL mode)', async () => {
    const shared = path.join(work, 'shared');
    fs.cpSync(ourRoot, shared, { recursive: true });
    execFileSync('rpm', ['--root', shared, '--dbpath', '/usr/lib/sysimage/rpm', '-e', '--justdb', '--nodeps', '--noscripts', 'meta-only'], { stdio: 'pipe' });
    execFileSync('rpmdb', ['--root', shared, '--dbpath', '/usr/lib/sysimage/rpm', '--rebuilddb'], { stdio: 'pipe' });
    assert.equal(rpmIn(shared, '-qa', '--qf', '%{NAME}\\n'), 'everything\nrelocatable\n');
    await RpmDatabase.edit(shared, async (db) => {
      const rpm = await openRpm(packages[2]!);
      try {
        db.add(rpmDbEntry(rpm, { tid: CLOCK, installTime: CLOCK, color: 3, bigEndian: false }, packages[2]!));
      } finally {
        rpm.close();
      }
    });
    assert.equal(rpmIn(shared, '-q', '--whatrequires', 'everything'), 'meta-only-1.0-1.noarch\n');
    assert.deepEqual(sqliteRows(path.join(shared, DB), 'PRAGMA journal_mode'), ['delete']);
    execFileSync('rpmdb', ['--root', shared, '--dbpath', '/usr/lib/sysimage/rpm', '--verifydb'], { stdio: 'pipe' });
  });
});
