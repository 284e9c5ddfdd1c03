import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { TestSysroot } from '../sysroot/sysrootFixture';
import { deploymentDirs, kernelDirs, osVersion, useScratch } from './day2Fixture';

describe('retention: a deploy keeps the default, the rollback, the pinned and --keep more', function () {
  this.timeout(60_000);
  const scratch = useScratch('retention');
  let sysroot: TestSysroot;
  const commits: string[] = [];
  const order = () => sysroot.state().deployments.map((d) => `${d.version}${d.staged ? ' staged' : ''}${d.pinned ? ' pinned' : ''}`);
  const deploymentRefs = () => Object.keys(Repo.open(sysroot.repoPath).listRefs()).filter((ref) => ref.startsWith('arbor/deploy/')).length;

  before(async () => {
    sysroot = TestSysroot.create(path.join(scratch(), 'sysroot'));
    for (const version of ['1', '2', '3', '4', '5', '6', '7']) commits.push(await sysroot.commit(scratch(), osVersion(version), `os/v${version}`));
  });

  it('a third deploy removes the oldest deployment, its kernel and its deployment ref, and says so', () => {
    sysroot.run('deploy', 'os/v1');
    sysroot.run('deploy', 'os/v2');
    const third = sysroot.json<{ retired: Array<{ commit: string }> }>('deploy', 'os/v3');
    assert.deepEqual(third.retired.map((r) => r.commit), [commits[0]]);
    assert.deepEqual(order(), ['3', '2']);
    assert.deepEqual(deploymentDirs(sysroot), [`${commits[2]}.0`, `${commits[1]}.0`].sort());
    assert.ok(!fs.existsSync(`${sysroot.deploymentPath(commits[0]!)}.origin`));
    assert.equal(kernelDirs(sysroot).length, 2, kernelDirs(sysroot).join(', '));
    assert.equal(deploymentRefs(), 2);
    assert.equal(sysroot.bootEntries().size, 2);
    sysroot.assertEntriesBootCompleteDeployments();
    // The retired commit's objects stay until cleanup: deploy keeps the pulled history.
    assert.ok(Repo.open(sysroot.repoPath).hasObject(commits[0]!, 'commit'));
  });

  it('keeps a pinned deployment beyond the rollback', () => {
    sysroot.run('pin', '1');
    const run = sysroot.run('deploy', 'os/v4');
    assert.doesNotMatch(run.stdout, /Removed old deployment/);
    assert.deepEqual(order(), ['4', '3', '2 pinned']);
    sysroot.run('deploy', 'os/v5');
    assert.deepEqual(order(), ['5', '4', '2 pinned']);
    sysroot.assertEntriesBootCompleteDeployments();
  });

  it('--keep N keeps N unpinned deployments besides the default', () => {
    sysroot.run('deploy', 'os/v6', '--keep', '2');
    assert.deepEqual(order(), ['6', '5', '4', '2 pinned']);
  });

  it('the sysroot config\'s keep does the same for every deploy, and cleanup honors it', () => {
    const configPath = path.join(sysroot.root, 'arbor', 'config.json');
    const config = JSON.parse(fs.readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(configPath, JSON.stringify({ ...config, keep: 2 }));
    sysroot.run('deploy', 'os/v7');
    assert.deepEqual(order(), ['7', '6', '5', '2 pinned']);
    sysroot.run('cleanup');
    assert.deepEqual(order(), ['7', '6', '5', '2 pinned']);
    sysroot.run('cleanup', '--keep', '1');
    assert.deepEqual(order(), ['7', '6', '2 pinned']);
    fs.writeFileSync(configPath, JSON.stringify(config));
  });

  it('a staged deploy removes nothing until finalize, which applies retention', () => {
    sysroot.run('deploy', 'os/v1', '--stage');
    assert.deepEqual(order(), ['7', '6', '2 pinned', '1 staged']);
    const finalized = sysroot.json<{ retired: Array<{ commit: string }> }>('finalize');
    assert.deepEqual(finalized.retired.map((r) => r.commit), [commits[5]]);
    assert.deepEqual(order(), ['1', '7', '2 pinned']);
    sysroot.assertEntriesBootCompleteDeployments();
    assert.equal(deploymentDirs(sysroot).length, 3);
  });

  it('leaves the deployments of other stateroots alone, as ostree does; cleanup trims across them', async () => {
    const multi = TestSysroot.create(path.join(scratch(), 'multi'));
    TestSysroot.create(multi.root, { stateroot: 'alt' });
    const alt = await multi.commit(scratch(), osVersion('8'), 'alt/x86_64');
    multi.run('deploy', 'alt/x86_64', '--stateroot', 'alt');
    for (const version of ['1', '2', '3']) {
      await multi.commit(scratch(), osVersion(version), `os/v${version}`);
      multi.run('deploy', `os/v${version}`, '--stateroot', 'os');
    }
    const describe = () => multi.state().deployments.map((d) => `${d.stateroot}:${d.version}`);
    assert.deepEqual(describe(), ['os:3', 'os:2', 'alt:8']);
    assert.ok(fs.existsSync(path.join(multi.root, 'arbor', 'deploy', 'alt', 'deploy', `${alt}.0`)));
    multi.run('cleanup');
    assert.deepEqual(describe(), ['os:3', 'os:2']);
    multi.assertEntriesBootCompleteDeployments();
  });

  it('a kernel directory a killed removal left half-deleted is never taken for complete: the next deploy of it copies it again', async () => {
    const fresh = TestSysroot.create(path.join(scratch(), 'half-deleted'));
    const own: string[] = [];
    for (const version of ['1', '2', '3']) own.push(await fresh.commit(scratch(), osVersion(version), `os/v${version}`));
    fresh.run('deploy', own[0]!);
    const [dir] = kernelDirs(fresh);
    const kernelDir = path.join(fresh.root, 'boot', 'arbor', dir!);
    const vmlinuz = fs.readdirSync(kernelDir).find((name) => name.startsWith('vmlinuz-'))!;
    const bytes = fs.readFileSync(path.join(kernelDir, vmlinuz));
    fresh.run('deploy', own[1]!);
    fresh.run('deploy', own[2]!);
    assert.ok(!kernelDirs(fresh).includes(dir!), 'retention removed v1\'s kernel');
    // What a kill in the middle of an older release's recursive delete left: the name, half the files.
    fs.mkdirSync(kernelDir);
    fs.writeFileSync(path.join(kernelDir, 'initramfs-leftover.img'), '');
    fresh.run('deploy', own[0]!);
    assert.deepEqual(fs.readFileSync(path.join(kernelDir, vmlinuz)), bytes);
    fresh.assertEntriesBootCompleteDeployments();
    // A removal of it that was killed earlier left its renamed copy: the next removal still goes through.
    fs.mkdirSync(`${kernelDir}.removing`);
    fs.writeFileSync(path.join(`${kernelDir}.removing`, vmlinuz), 'half');
    fresh.run('deploy', own[1]!);
    fresh.run('deploy', own[2]!);
    assert.ok(!kernelDirs(fresh).includes(dir!));
    assert.ok(!kernelDirs(fresh).some((name) => name.endsWith('.removing')), 'no directory is left mid-removal');
  });
});
