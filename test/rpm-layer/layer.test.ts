import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { rpmIn, rpmVerify } from '../rpmdb/specRpm';
import { Arbor } from '@arbor/core';
import { readInstalledRpms } from '@arbor/plugin-rpm';
import { nevra, Resolver, RpmMdSource, type RpmPackage } from '@arbor/plugin-rpm-md';
import { LayerFixture, snapshotObjects } from './layerFixture';
import { libsolvOnInstalled } from './libsolvInstalled';

/** rpmdb --verifydb: sqlite's integrity and foreign key checks, as rpm runs them. Only on a tree whose database layering replaced (rpm may open it for writing). */
const verifyDb = (root: string) => execFileSync('rpmdb', ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm', '--verifydb'], { stdio: 'pipe' });
const names = (root: string) => rpmIn(root, '-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\\n').split('\n').filter(Boolean).sort();

describe('RPM layering onto a hardlink checkout (the rpm plugin\'s layer tap)', function () {
  this.timeout(120000);
  let fixture: LayerFixture;
  let objectsBefore: Map<string, string>;

  before(async function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'rpm', 'rpmdb', 'bwrap', 'unshare', 'busybox', 'getfattr');
    requireRoot(this);
    fixture = await LayerFixture.create();
    objectsBefore = snapshotObjects(fixture.store);
  });
  after(() => fixture?.remove());

  it('installs a package by name with the dependency the base lacks, and runs its %pre and %post', async () => {
    const tree = await fixture.checkout();
    const noteBefore = fs.statSync(path.join(tree, 'usr/share/base-note'));
    const result = await fixture.layer(tree, { packages: ['tool'] });
    assert.equal(result.layeredBy, 'arbor:rpm');
    assert.deepEqual(result.added, [
      { name: 'extralib', nevra: 'extralib-1.1-1.noarch' },
      { name: 'tool', nevra: 'tool-2.0-3.noarch' },
    ]);
    assert.deepEqual(result.inactive, []);
    assert.equal(fs.readFileSync(path.join(tree, 'usr/bin/tool'), 'utf8'), '#!/bin/sh\necho tool\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/extralib/lib'), 'utf8'), 'lib\n');
    // The package's /etc file lands in usr/etc: the tree is in commit layout.
    assert.equal(fs.readFileSync(path.join(tree, 'usr/etc/tool.conf'), 'utf8'), 'level=1\n');
    assert.equal(fs.existsSync(path.join(tree, 'etc')), false);
    // The scriptlets ran, with $1 = 1, and saw usr/etc as /etc.
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/tool/pre-ran'), 'utf8'), 'pre 1\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/tool/post-ran'), 'utf8'), 'post 1\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/etc/shells'), 'utf8'), '/bin/sh\n/usr/bin/tool\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/base-note'), 'utf8'), 'base\nx\n');
    // The appended base file is a new inode; the one the store shares still says what it said.
    const noteAfter = fs.statSync(path.join(tree, 'usr/share/base-note'));
    assert.notEqual(noteAfter.ino, noteBefore.ino);
    const other = await fixture.checkout();
    assert.equal(fs.statSync(path.join(other, 'usr/share/base-note')).ino, noteBefore.ino);
    assert.equal(fs.readFileSync(path.join(other, 'usr/share/base-note'), 'utf8'), 'base\n');
    assert.equal(fs.readFileSync(path.join(other, 'usr/etc/shells'), 'utf8'), '/bin/sh\n');
    // No overlay work directories or marks are left behind.
    assert.deepEqual(fs.readdirSync(path.dirname(tree)).filter((name) => name.startsWith('.arbor-rpm')), []);
    const xattrs = execFileSync('getfattr', ['-R', '-d', '-m', 'overlay', '--absolute-names', tree], { encoding: 'utf8' });
    assert.equal(xattrs.trim(), '');

    // Debian's rpm reads the result.
    assert.deepEqual(names(tree), ['app-1.0-1', 'common-1.0-1', 'extralib-1.1-1', 'filesystem-3.18-1', 'libfoo-1.0-1', 'shell-1.36-1', 'tool-2.0-3']);
    assert.equal(rpmIn(tree, '-q', 'tool').trim(), 'tool-2.0-3.noarch');
    assert.equal(rpmIn(tree, '-qf', '/usr/bin/tool').trim(), 'tool-2.0-3.noarch');
    assert.equal(rpmIn(tree, '-q', '--whatrequires', 'extralib').trim(), 'tool-2.0-3.noarch');
    verifyDb(tree);
    // rpm -V on the trees in the layout a deployment has (/etc real): the layered packages verify
    // clean, and the base reports only what it reported before (compose's postprocess touches
    // passwd and group) plus what the %post changed: base-note and shells, size and digest.
    const verified = (root: string, ...packages: string[]) => {
      const view = path.join(fixture.work, `verify-${path.basename(root)}`);
      if (!fs.existsSync(view)) {
        execFileSync('cp', ['-a', root, view]);
        fs.renameSync(path.join(view, 'usr/etc'), path.join(view, 'etc'));
      }
      return rpmVerify(view, ...packages).map((line) => line.replace(/\s+/g, ' ')).sort();
    };
    assert.deepEqual(verified(tree, 'tool', 'extralib'), []);
    const baseReport = verified(other, 'filesystem');
    const layeredReport = verified(tree, 'filesystem');
    const byPath = (report: string[]) => new Map(report.map((line) => [line.split(' ').pop()!, line.split(' ')[0]!]));
    const changed = [...byPath(layeredReport)].filter(([file, flags]) => byPath(baseReport).get(file) !== flags);
    assert.deepEqual(changed, [['/etc/shells', 'S.5....T.'], ['/usr/share/base-note', 'S.5....T.']]);
    assert.deepEqual([...byPath(baseReport).keys()].filter((file) => !byPath(layeredReport).has(file)), []);
  });

  it('keeps a request the base already provides as inactive, and changes nothing', async () => {
    const tree = await fixture.checkout();
    const dbBefore = fs.statSync(path.join(tree, 'usr/lib/sysimage/rpm/rpmdb.sqlite')).ino;
    const result = await fixture.layer(tree, { packages: ['libfoo', '/usr/bin/app'] });
    assert.deepEqual(result, { layeredBy: 'arbor:rpm', added: [], removed: [], replaced: [], inactive: ['libfoo', '/usr/bin/app'] });
    assert.equal(fs.statSync(path.join(tree, 'usr/lib/sysimage/rpm/rpmdb.sqlite')).ino, dbBefore);
  });

  it('names a missing package and the repos it searched', async () => {
    const tree = await fixture.checkout();
    await assert.rejects(fixture.layer(tree, { packages: ['no-such-thing'] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_LAYER_PACKAGE_NOT_FOUND');
      assert.match(error.message, /no package matches "no-such-thing"/);
      assert.match(error.message, /searched extra \(extra\.repo\)/);
      return true;
    });
  });

  it('refuses a package that conflicts with a base package, naming both', async () => {
    const tree = await fixture.checkout();
    await assert.rejects(fixture.layer(tree, { packages: ['clash'] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_LAYER_UNRESOLVABLE');
      assert.match(error.message, /clash-1\.0-1\.noarch conflicts with app provided by app-1\.0-1\.noarch/);
      return true;
    });
  });

  it('refuses a package whose file differs from a base package\'s, naming both', async () => {
    const tree = await fixture.checkout();
    await assert.rejects(fixture.layer(tree, { packages: ['fileclash'] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_RPM_FILE_CONFLICT');
      assert.match(error.message, /\/usr\/share\/common\/file is in both common-1\.0-1\.noarch and fileclash-1\.0-1\.noarch/);
      return true;
    });
  });

  it('refuses to remove a base package another one requires, naming both', async () => {
    const tree = await fixture.checkout();
    await assert.rejects(fixture.layer(tree, { removals: ['libfoo'] }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_LAYER_REMOVAL_REQUIRED');
      assert.match(error.message, /package app-1\.0-1\.noarch requires libfoo, which only libfoo-1\.0-1\.noarch provided/);
      return true;
    });
  });

  it('removes a base package nothing requires: its files and its rpmdb entry', async () => {
    const tree = await fixture.checkout();
    const result = await fixture.layer(tree, { removals: ['app'] });
    assert.deepEqual(result.removed, [{ name: 'app', nevra: 'app-1.0-1.noarch' }]);
    assert.equal(fs.existsSync(path.join(tree, 'usr/bin/app')), false);
    // /usr/bin belongs to filesystem too, and stays.
    assert.ok(fs.statSync(path.join(tree, 'usr/bin')).isDirectory());
    assert.deepEqual(names(tree), ['common-1.0-1', 'filesystem-3.18-1', 'libfoo-1.0-1', 'shell-1.36-1']);
    assert.throws(() => rpmIn(tree, '-qf', '/usr/bin/app'));
    verifyDb(tree);
  });

  it('replaces a base package with a newer local RPM: files swapped, rpmdb updated', async () => {
    const tree = await fixture.checkout();
    const result = await fixture.layer(tree, { replacements: [fixture.localRpms.libfoo2!] });
    assert.deepEqual(result.replaced, [{ from: { name: 'libfoo', nevra: 'libfoo-1.0-1.noarch' }, to: { name: 'libfoo', nevra: 'libfoo-2.0-1.noarch' } }]);
    assert.deepEqual(result.added, []);
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/libfoo/data'), 'utf8'), 'foo 2\n');
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/libfoo/new-in-2'), 'utf8'), 'new\n');
    assert.equal(rpmIn(tree, '-q', 'libfoo').trim(), 'libfoo-2.0-1.noarch');
    assert.equal(rpmIn(tree, '-qf', '/usr/share/libfoo/new-in-2').trim(), 'libfoo-2.0-1.noarch');
    assert.deepEqual(rpmVerify(tree, 'libfoo'), []);
    verifyDb(tree);
    // Its %post ran as rpm runs an upgrade's: $1 is 2.
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/libfoo/post-ran'), 'utf8'), 'post 2\n');
    // Applied again to a base that already ships it (as after an upgrade), the replacement is inactive.
    const again = await fixture.layer(tree, { replacements: [fixture.localRpms.libfoo2!] });
    assert.deepEqual(again, { layeredBy: 'arbor:rpm', added: [], removed: [], replaced: [], inactive: [fixture.localRpms.libfoo2!] });
  });

  it('installs a local package file, with its dependency from the repos', async () => {
    const tree = await fixture.checkout();
    const result = await fixture.layer(tree, { localPackages: [fixture.localRpms.localtool!] });
    assert.deepEqual(result.added.map((pkg) => pkg.nevra), ['extralib-1.1-1.noarch', 'localtool-0.9-1.noarch']);
    assert.equal(rpmIn(tree, '-qf', '/usr/share/localtool/readme').trim(), 'localtool-0.9-1.noarch');
    assert.deepEqual(rpmVerify(tree, 'localtool', 'extralib'), []);
  });

  it('refuses a local package file whose name the base has in another version', async () => {
    const tree = await fixture.checkout();
    await assert.rejects(fixture.layer(tree, { localPackages: [fixture.localRpms.libfoo2!] }),
      { code: 'ARBOR_LAYER_UNRESOLVABLE', message: /libfoo-2\.0-1\.noarch\.rpm: the base has libfoo-1\.0-1\.noarch/ });
  });

  it('leaves package files of another format to another plugin', async () => {
    const tree = await fixture.checkout();
    const foreign = path.join(fixture.work, 'tool.deb');
    fs.writeFileSync(foreign, '!<arch>\ndebian-binary   0           0     0     100644  4         `\n2.0\n');
    const answer = await fixture.arbor.hooks.layer.promise({
      packages: [], localPackages: [foreign], removals: [], replacements: [], tree, base: fixture.commit, configRoot: fixture.configRoot,
    }, fixture.arbor.context());
    assert.equal(answer, undefined);
  });

  it('stops at a malformed .repo file, naming its file, line and key', async () => {
    const tree = await fixture.checkout();
    const configRoot = fixture.configWith('broken.repo', `[extra]\nbaseurl=file://${fixture.extraRepo}\nenabled=sometimes\n`);
    await assert.rejects(fixture.layer(tree, { packages: ['tool'], configRoot }), {
      code: 'ARBOR_LAYER_REPO_CONFIG_INVALID',
      message: `During package layering (arbor:rpm): ${configRoot}/yum.repos.d/broken.repo:3: key enabled of [extra] is "sometimes", not a boolean (1/0, yes/no, true/false)`,
    });
  });

  it('says metalink= is not supported, naming the file and the key', async () => {
    const tree = await fixture.checkout();
    const configRoot = fixture.configWith('fedora.repo', '[fedora]\nmetalink=https://mirrors.example/metalink?repo=fedora-$releasever&arch=$basearch\nenabled=1\n');
    await assert.rejects(fixture.layer(tree, { packages: ['tool'], configRoot }), {
      code: 'ARBOR_LAYER_REPO_UNAVAILABLE',
      message: `During package layering (arbor:rpm): ${configRoot}/yum.repos.d/fedora.repo:2: key metalink of [fedora] is not supported: Arbor reads repos from baseurl= only`,
    });
  });

  it('applies what a scriptlet deleted and replaced: whiteouts delete, an opaque directory replaces', async () => {
    const tree = await fixture.checkout();
    await fixture.layer(tree, { packages: ['sweeper'] });
    assert.equal(fs.existsSync(path.join(tree, 'usr/share/libfoo/data')), false);
    assert.equal(fs.existsSync(path.join(tree, 'usr/etc/group')), false);
    assert.deepEqual(fs.readdirSync(path.join(tree, 'usr/share/common')), ['only']);
    assert.equal(fs.readFileSync(path.join(tree, 'usr/share/common/only'), 'utf8'), 'fresh\n');
    assert.equal(fs.statSync(path.join(tree, 'usr/share/libfoo')).mode & 0o7777, 0o700);
    // Nothing of the overlay's own reached the tree: no whiteout devices, no overlay xattrs.
    assert.equal(execFileSync('find', [tree, '-type', 'c'], { encoding: 'utf8' }), '');
    assert.equal(execFileSync('getfattr', ['-R', '-d', '-m', 'overlay', '--absolute-names', tree], { encoding: 'utf8' }).trim(), '');
    // The base is intact in a new checkout.
    const other = await fixture.checkout();
    assert.equal(fs.readFileSync(path.join(other, 'usr/share/libfoo/data'), 'utf8'), 'foo 1\n');
    assert.equal(fs.readFileSync(path.join(other, 'usr/share/common/file'), 'utf8'), 'base\n');
    assert.ok(fs.existsSync(path.join(other, 'usr/etc/group')));
  });

  describe('resolution onto the installed set, against libsolv (testsolv on rpmdb2solv of the same rpmdb)', () => {
    const cases: { title: string; install?: string[]; erase?: string[] }[] = [
      { title: 'a package and the dependency the base lacks', install: ['tool'] },
      { title: 'a package whose dependency the base has', install: ['needs-foo'] },
      { title: 'two packages at once', install: ['tool', 'sweeper'] },
      { title: 'a package that conflicts with a base package', install: ['clash'] },
      { title: 'the removal of a package another requires', erase: ['libfoo'] },
      { title: 'the removal of a package nothing requires', erase: ['app'] },
      { title: 'the removal of a package a newcomer requires', install: ['needs-foo'], erase: ['libfoo', 'app'] },
    ];
    for (const { title, install = [], erase = [] } of cases) {
      it(`agrees on ${title}`, async function () {
        requireTool(this, 'testsolv', 'repo2solv', 'rpmdb2solv');
        const tree = await fixture.checkout();
        const oracle = libsolvOnInstalled(tree, fixture.extraRepo, { install, erase }, path.join(fixture.work, 'libsolv'));
        const source = new RpmMdSource({ id: 'extra', url: fixture.extraRepo, cacheDir: path.join(fixture.work, 'cache') });
        const installed = readInstalledRpms(tree);
        const ours = new Resolver(await source.packages(new Arbor().context()), {
          arch: 'x86_64', recommends: false, excluded: erase, installed: installed.map((pkg) => pkg.record as unknown as RpmPackage),
        }).resolve(install);
        assert.equal(ours.problems.length > 0, oracle.problems.length > 0, `ours: ${ours.problems.join('; ')}; libsolv: ${oracle.problems.join('; ')}`);
        if (oracle.problems.length) return;
        assert.deepEqual(ours.selected.map(nevra).sort(), oracle.installs);
        assert.deepEqual(installed.filter((pkg) => erase.includes(pkg.name)).map((pkg) => pkg.nevra).sort(), oracle.erases);
      });
    }
  });

  it('left every store object as it was', () => {
    assert.deepEqual(snapshotObjects(fixture.store), objectsBefore);
  });
});
