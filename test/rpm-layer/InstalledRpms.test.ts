import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readInstalledRpms } from '@arbor/plugin-rpm';
import { requireTool } from '../support/requireTool';
import { rpmIn } from '../rpmdb/specRpm';
import { buildTestRepo } from '../compose/TestRpmRepo';

describe('the installed set layering reads from a tree\'s rpmdb', function () {
  this.timeout(60000);
  let work: string;

  before(function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'rpm');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-installed-rpms-'));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('reads a database Debian\'s rpm wrote: the same packages, files and dependencies rpm reports', () => {
    const rpms = buildTestRepo(path.join(work, 'rpms'), [
      { name: 'base-lib', version: '1.2', release: '3', epoch: 2, provides: ['libbase = 1.2'], files: { '/usr/lib/base/lib.so': 'x', '/etc/base.conf': 'a=1\n' } },
      { name: 'base-app', version: '0.9', requires: ['libbase >= 1', '/usr/lib/base/lib.so'], conflicts: ['old-app < 2'], obsoletes: ['ancient-app'], files: { '/usr/bin/base-app': { content: '#!/bin/sh\n', mode: 0o755 } } },
    ], path.join(work, 'build'));
    const root = path.join(work, 'root');
    fs.mkdirSync(root);
    rpmIn(root, '-i', '--justdb', '--nodeps', '--noscripts', ...rpms);
    // rpm leaves its database in WAL mode, with -wal and -shm files: they are read, not changed.
    const dbDir = path.join(root, 'usr/lib/sysimage/rpm');
    const before = fs.readdirSync(dbDir).map((name) => `${name} ${fs.statSync(path.join(dbDir, name)).mtimeMs}`);
    const installed = readInstalledRpms(root);
    assert.deepEqual(fs.readdirSync(dbDir).map((name) => `${name} ${fs.statSync(path.join(dbDir, name)).mtimeMs}`), before);
    assert.deepEqual(installed.map((pkg) => pkg.nevra).sort(), rpmIn(root, '-qa', '--qf', '%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}\\n').split('\n').filter(Boolean).sort());
    for (const pkg of installed) {
      assert.deepEqual(pkg.fileList.files.map((file) => file.path).sort(), rpmIn(root, '-ql', pkg.name).split('\n').filter(Boolean).sort());
      const requires = rpmIn(root, '-q', '--qf', '[%{REQUIRENAME}\\n]', pkg.name).split('\n').filter((name) => name && !name.startsWith('rpmlib('));
      assert.deepEqual(pkg.record.requires.map((dep) => dep.name).sort(), requires.sort());
    }
    const app = installed.find((pkg) => pkg.name === 'base-app')!;
    assert.deepEqual(app.record.requires.find((dep) => dep.name === 'libbase'), { name: 'libbase', flags: 'GE', evr: { epoch: 0, version: '1' } });
    assert.deepEqual(app.record.conflicts, [{ name: 'old-app', flags: 'LT', evr: { epoch: 0, version: '2' } }]);
    assert.deepEqual(app.record.obsoletes, [{ name: 'ancient-app' }]);
    const lib = installed.find((pkg) => pkg.name === 'base-lib')!;
    assert.equal(lib.record.epoch, 2);
    assert.ok(lib.record.provides.some((dep) => dep.name === 'libbase' && dep.flags === 'EQ'));
  });

  it('is empty for a tree without an rpmdb', () => {
    assert.deepEqual(readInstalledRpms(work), []);
  });
});
