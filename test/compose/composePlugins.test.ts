import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { OS_PACKAGES, commitObjects, initRepo, refsOf } from './composeFixture';
import { buildTestRepo } from './TestRpmRepo';
import { generateKeyPair } from '@arbor/plugin-ed25519';

/** What compose does with the plugins a config names: too few, then the preset that has them. */
describe('compose and the plugins it runs with', function () {
  this.timeout(300_000);
  let work: string;
  let rpms: string;
  let treefile: string;

  before(function () {
    requireTool(this, 'rpmbuild', 'createrepo_c');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-compose-plugins-'));
    rpms = path.join(work, 'rpms');
    buildTestRepo(rpms, OS_PACKAGES, path.join(work, 'build'));
    treefile = path.join(work, 'tree.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: 'demo/base', repos: [rpms], packages: ['hello', 'kernel-demo'], scriptlets: false }));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const config = (name: string, doc: unknown) => {
    const file = path.join(work, name);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };

  it('refuses to compose with only rpm-md, naming the missing installer in one line, and commits nothing', () => {
    const repo = initRepo(path.join(work, 'few'));
    const run = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', config('few.json', { preset: [], plugins: ['rpm-md', 'storage'] })]);
    assert.equal(run.status, 1, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^Error: Nothing installs packages for demo\/base: no plugin taps install \(it needs the rpm plugin \(@arbor\/plugin-rpm; preset fedora has it\)\) \[ARBOR_COMPOSE_MISSING_PLUGIN\]/);
    assert.deepEqual(refsOf(repo), {});
    assert.deepEqual(commitObjects(repo), []);
  });

  it('names the missing source plugin when nothing opens the repos', () => {
    const repo = initRepo(path.join(work, 'none'));
    const run = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', config('none.json', { preset: [], plugins: ['storage'] })]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: No plugin opens package repos, so repo rpms cannot be read .*preset: fedora/);
  });

  it('composes the full tree with preset fedora, and again with another plugin set (the inputs hash covers plugins)', () => {
    const repo = initRepo(path.join(work, 'full'));
    const fedora = config('fedora.json', { preset: 'fedora' });
    const first = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', fedora, '--json']);
    assert.equal(first.status, 0, first.stderr);
    const composed = first.json<{ commit: string; packages: { name: string }[] }>();
    assert.deepEqual(composed.packages.map((pkg) => pkg.name).sort(), ['demo-filesystem', 'greeting', 'hello', 'hello-docs', 'kernel-demo']);
    const listing = runArbor(['ls', '--repo', repo, 'demo/base', '/usr/bin']);
    assert.match(listing.stdout, /\/usr\/bin\/hello$/m);

    const again = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', fedora, '--json']);
    assert.equal(again.json<{ changed: boolean; commit: string }>().changed, false, 'same plugins, same inputs: no changes');
    const withoutDb = config('fedora-nodb.json', {
      preset: [], plugins: ['storage', 'file', 'http', 'ed25519', 'etc-merge', 'bls', ['rpm', { rpmdb: false }], 'rpm-md', 'postprocess'],
    });
    const other = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', withoutDb, '--json']);
    assert.equal(other.status, 0, other.stderr);
    assert.equal(other.json<{ changed: boolean }>().changed, true, 'another plugin option composes anew');
  });

  it('signs the existing commit when an unchanged compose is run again with --sign-key', () => {
    const repo = initRepo(path.join(work, 'signed'));
    const fedora = config('fedora-sign.json', { preset: 'fedora' });
    const unsigned = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', fedora, '--json']).json<{ commit: string }>();
    const key = path.join(work, 'compose.key');
    generateKeyPair(key);
    const signed = runArbor(['compose', 'tree', treefile, '--repo', repo, '--config', fedora, '--sign-key', key, '--json']);
    assert.equal(signed.status, 0, signed.stderr);
    assert.equal(signed.json<{ commit: string; changed: boolean }>().commit, unsigned.commit);
    const objects = fs.readdirSync(path.join(repo, 'objects', unsigned.commit.slice(0, 2)));
    assert.ok(objects.includes(`${unsigned.commit.slice(2)}.commitsig`), 'the commit now has its signature object');
  });
});
