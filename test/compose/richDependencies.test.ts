import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { Resolver, RpmMdSource, nevra, type RpmPackage } from '@arbor/plugin-rpm-md';
import { requireTool } from '../support/requireTool';
import { libsolvResolve, type OracleJob } from './libsolvOracle';
import { buildTestRepo, type TestPackage } from './TestRpmRepo';

/**
 * Packages built with rpmbuild to exercise what the fixture repos lack: rich dependencies of
 * every operator, Conflicts, Obsoletes, versioned provides, a choice that must avoid a conflict,
 * and weak dependencies. libsolv (testsolv) is the oracle for each request.
 */
const PACKAGES: TestPackage[] = [
  { name: 'web-a', provides: ['webserver = 2.0'] },
  { name: 'web-b', provides: ['webserver = 1.0'] },
  { name: 'site', requires: ['(web-a or web-b)'] },
  { name: 'site-old', requires: ['webserver < 2'] },
  { name: 'plugin' },
  { name: 'extra' },
  { name: 'host', requires: ['(plugin if extra)'] },
  { name: 'host-else', requires: ['(plugin if extra else web-b)'] },
  { name: 'lib', version: '2.4', provides: ['lib-feature'] },
  { name: 'lib-compat', version: '3.0', provides: ['lib = 3.0'] },
  { name: 'tool', requires: ['(lib >= 2 with lib-feature)'] },
  { name: 'tool2', requires: ['(lib without lib-feature)'] },
  { name: 'x', conflicts: ['y'] },
  { name: 'y' },
  { name: 'newpkg', version: '2.0', obsoletes: ['oldpkg < 2'] },
  { name: 'oldpkg', version: '1.5' },
  { name: 'p1', provides: ['virt'], conflicts: ['base'] },
  { name: 'p2', provides: ['virt'] },
  { name: 'base' },
  { name: 'needs-virt', requires: ['virt'] },
  { name: 'a-unless', conflicts: ['(plugin unless extra)'] },
  { name: 'rec', recommends: ['plugin'] },
  { name: 'both', requires: ['(extra and plugin)'] },
  { name: 'cond-conflict', conflicts: ['(plugin and extra)'] },
];

interface Case {
  title: string;
  specs: string[];
  jobs?: OracleJob[];
}

const CASES: Case[] = [
  { title: '(A or B) chooses among the providers of both by policy', specs: ['site'] },
  { title: 'a versioned requirement on a virtual provide picks the provider in range', specs: ['site-old'] },
  { title: '(A if B) installs A when B is requested too', specs: ['host', 'extra'] },
  { title: '(A if B) leaves A out when B is not there', specs: ['host'] },
  { title: '(A if B else C) chooses between B and C by policy, as libsolv does', specs: ['host-else'] },
  { title: '(A with B) needs one package that provides both', specs: ['tool'] },
  { title: '(A without B) refuses the only provider that has B', specs: ['tool2'] },
  { title: 'Conflicts make a request unsatisfiable', specs: ['x', 'y'] },
  { title: 'Obsoletes keep the obsoleted package out', specs: ['newpkg', 'oldpkg'] },
  { title: 'a provider that conflicts with the request is passed over for another', specs: ['needs-virt', 'base'] },
  { title: 'Conflicts: (A unless B) with A requested pulls in B', specs: ['a-unless', 'plugin'] },
  { title: 'Conflicts: (A unless B) allows A with B', specs: ['a-unless', 'plugin', 'extra'] },
  { title: 'Recommends are installed', specs: ['rec'] },
  { title: '(A and B) installs both', specs: ['both'] },
  { title: 'Conflicts: (A and B) allows A alone', specs: ['cond-conflict', 'plugin'] },
  { title: 'Conflicts: (A and B) refuses both', specs: ['cond-conflict', 'plugin', 'extra'] },
];

describe('resolver vs libsolv on built packages with rich deps, conflicts and obsoletes', function () {
  this.timeout(120000);
  let work: string;
  let repo: string;
  let packages: RpmPackage[];

  before(async function () {
    requireTool(this, 'rpmbuild', 'createrepo_c', 'testsolv', 'repo2solv');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rich-'));
    repo = path.join(work, 'repo');
    buildTestRepo(repo, PACKAGES, path.join(work, 'build'));
    packages = await new RpmMdSource({ id: 'available', url: repo, cacheDir: path.join(work, 'cache') }).packages(new Arbor().context());
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const testCase of CASES) {
    it(`matches libsolv: ${testCase.title}`, () => {
      const expected = libsolvResolve(repo, testCase.jobs ?? testCase.specs.map((name) => ({ name })), path.join(work, 'oracle'));
      const resolution = new Resolver(packages, { arch: 'x86_64', recommends: true, excluded: [] }).resolve(testCase.specs);
      if (expected.problems.length) {
        assert.equal(resolution.selected.length, 0, `libsolv: ${expected.problems.join(' | ')}`);
        // libsolv cannot name one provider of a rich conflict and prints "provided by <NULL>".
        const diagnosis = (line: string) => line.replace(/ provided by <NULL>$/, '');
        assert.ok(
          expected.problems.some((problem) => resolution.problems[0]?.startsWith(diagnosis(problem))),
          `ours: ${resolution.problems[0]}\nlibsolv: ${expected.problems.join(' | ')}`,
        );
      } else {
        assert.deepEqual(resolution.problems, []);
        assert.deepEqual(resolution.selected.map(nevra).sort(), expected.installed);
      }
    });
  }

  it('leaves Recommends out when recommends is off', () => {
    const { selected } = new Resolver(packages, { arch: 'x86_64', recommends: false, excluded: [] }).resolve(['rec']);
    assert.deepEqual(selected.map((pkg) => pkg.name), ['rec']);
  });
});
