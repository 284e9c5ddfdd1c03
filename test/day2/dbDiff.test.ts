import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, ComposeMetadataKey } from '@arbor/core';
import { commitTree, Repo } from '@arbor/core/store';
import { OriginFile } from '@arbor/core/sysroot';
import { TestSysroot, buildOsTree } from '../sysroot/sysrootFixture';
import { attempt, osVersion, useScratch } from './day2Fixture';

interface Change { name: string; arch: string; from: string; to: string; layered?: true }
interface Pkg { name: string; version: string; layered?: true }
interface DiffJson {
  from: { commit: string; role: string };
  to: { commit: string; role: string };
  added: Pkg[];
  removed: Pkg[];
  upgraded: Change[];
  downgraded: Change[];
}

/** `name-version` words into the package list compose records in a commit's metadata. */
const packages = (...nvs: string[]) => nvs.map((nv) => {
  const [name, version] = nv.split('@') as [string, string];
  return { name, epoch: 0, version, release: '1', arch: 'x86_64', repo: 'base' };
});

describe('db diff --sysroot: booted (or rollback) against pending, layered changes marked', function () {
  this.timeout(60_000);
  const scratch = useScratch('dbdiff');
  let sysroot: TestSysroot;
  const commits: Record<string, string> = {};

  async function commit(name: string, branch: string, list: ReturnType<typeof packages>, parent?: string): Promise<string> {
    const tree = path.join(scratch(), `tree-${name}`);
    buildOsTree(tree, osVersion(name));
    const result = await commitTree(new Arbor(), Repo.open(sysroot.repoPath), {
      tree, branch, subject: name, metadata: { version: name, [ComposeMetadataKey.PACKAGES]: list }, ...(parent ? { parent } : {}),
    });
    fs.rmSync(tree, { recursive: true, force: true });
    return (commits[name] = result.commit);
  }

  before(async () => {
    sysroot = TestSysroot.create(path.join(scratch(), 'sysroot'));
    await commit('1', 'os/base', packages('bash@5.1', 'coreutils@9.0', 'nano@6.0'));
    await commit('2', 'os/base', packages('bash@5.2', 'coreutils@9.0', 'vim-minimal@9.0'));
    sysroot.run('deploy', 'os/base^');
    sysroot.run('deploy', 'os/base');
  });

  it('compares the rollback with the default when nothing is booted, as the base commits differ', () => {
    const diff = sysroot.json<DiffJson>('db', 'diff');
    assert.deepEqual([diff.from.role, diff.from.commit, diff.to.role, diff.to.commit], ['rollback', commits['1'], 'default', commits['2']]);
    assert.deepEqual(diff.added.map((p) => [p.name, p.layered]), [['vim-minimal', undefined]]);
    assert.deepEqual(diff.removed.map((p) => [p.name, p.layered]), [['nano', undefined]]);
    assert.deepEqual(diff.upgraded.map((c) => [c.name, c.from, c.to, c.layered]), [['bash', '5.1-1', '5.2-1', undefined]]);
  });

  it('marks what the pending deployment\'s layering added and removed', async () => {
    // A layered commit as install/override make it: the base is its parent, the origin holds the requests.
    await commit('2+layers', 'os/layered', packages('bash@5.2', 'vim-minimal@9.0', 'htop@3.2', 'local-tool@1.0'), commits['2']);
    const deployed = sysroot.json<{ path: string }>('deploy', 'os/layered');
    const origin = OriginFile.read(`${deployed.path}.origin`);
    origin.layers = { packages: ['htop'], localPackages: ['/arbor/packages/local-tool.rpm'], removals: ['coreutils'], replacements: [] };
    origin.write(`${deployed.path}.origin`);

    const diff = sysroot.json<DiffJson>('db', 'diff');
    assert.deepEqual([diff.from.commit, diff.to.commit], [commits['2'], commits['2+layers']]);
    assert.deepEqual(diff.added.map((p) => [p.name, p.layered]), [['htop', true], ['local-tool', true]]);
    assert.deepEqual(diff.removed.map((p) => [p.name, p.layered]), [['coreutils', true]]);
    const text = attempt(sysroot, 'db', 'diff');
    assert.match(text.stdout, /^rollback os:[0-9a-f]{64}\.0 -> default os:[0-9a-f]{64}\.0$/m);
    assert.match(text.stdout, /^\+ htop-3\.2-1\.x86_64 \(layered\)$/m);
    assert.match(text.stdout, /^- coreutils-9\.0-1\.x86_64 \(layered\)$/m);
  });

  it('takes the staged deployment as the pending one, against the default', async () => {
    await commit('3', 'os/base', packages('bash@5.3', 'coreutils@9.1', 'vim-minimal@9.0'));
    // The hand-made requests go first: a deploy carries an origin's layering requests over.
    const layeredOrigin = `${sysroot.deploymentPath(commits['2+layers']!)}.origin`;
    const origin = OriginFile.read(layeredOrigin);
    origin.layers = { packages: [], localPackages: [], removals: [], replacements: [] };
    origin.write(layeredOrigin);
    sysroot.run('deploy', 'os/base', '--stage');
    const diff = sysroot.json<DiffJson>('db', 'diff');
    assert.deepEqual([diff.from.role, diff.from.commit, diff.to.role, diff.to.commit], ['default', commits['2+layers'], 'staged', commits['3']]);
    assert.deepEqual(diff.removed.map((p) => [p.name, p.layered]), [['htop', undefined], ['local-tool', undefined]]);
    assert.deepEqual(diff.added.map((p) => p.name), ['coreutils']);
  });

  it('still compares two named commits of the sysroot\'s repo, and refuses one revision alone', () => {
    const diff = sysroot.json<DiffJson>('db', 'diff', 'os/base^', 'os/base');
    assert.deepEqual(diff.upgraded.map((c) => c.name), ['bash', 'coreutils']);
    const usage = attempt(sysroot, 'db', 'diff', 'os/base');
    assert.equal(usage.status, 2);
  });
});
