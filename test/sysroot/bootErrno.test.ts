import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { commitTree, Repo } from '@arbor/core/store';
import { requireRoot } from '../support/requireTool';
import { runArbor, type ArborRun } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { buildOsTree, snapshotTree, TestSysroot } from './sysrootFixture';

/**
 * Issue 15 item 3 on core's own /boot writes (installKernel, removeUnusedKernels, cleanup):
 * a read-only or full /boot is one ArborError naming the path and the filesystem, and the
 * failed command changed nothing. Real mounts (root only): a read-only bind mount of /boot,
 * and a small tmpfs for a full one.
 */

/** /boot made read-only by a bind mount over itself; returns the undo. */
function readOnlyBoot(boot: string): () => void {
  execFileSync('mount', ['--bind', boot, boot]);
  execFileSync('mount', ['-o', 'remount,bind,ro', boot]);
  return () => execFileSync('umount', [boot]);
}

/** /boot moved onto a tmpfs of `size` that holds what it held; returns the undo. */
function smallBoot(boot: string, size: string): () => void {
  const saved = `${boot}.saved`;
  fs.renameSync(boot, saved);
  fs.mkdirSync(boot);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', boot]);
  execFileSync('cp', ['-a', `${saved}/.`, boot]);
  return () => {
    execFileSync('umount', [boot]);
    fs.rmdirSync(boot);
    fs.renameSync(saved, boot);
  };
}

/** The one line an ArborError prints, its code and the hint in it. */
function errorLine(run: ArborRun, code: string): string {
  assert.equal(run.status, 1, `exit 1: ${run.stdout}${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  assert.ok(lines[0]!.includes(`[${code}]`), `${code}: ${lines[0]}`);
  return lines[0]!;
}

/** Everything a failed command must leave as it was: /boot, the deployments and the boot links (all but the repo and the lock file). */
function sysrootState(sysroot: TestSysroot): Record<string, string> {
  const state: Record<string, string> = {};
  for (const top of ['boot', ...fs.readdirSync(path.join(sysroot.root, 'arbor')).filter((name) => name !== 'repo' && name !== 'lock').map((name) => `arbor/${name}`)]) {
    for (const [name, value] of Object.entries(snapshotTree(path.join(sysroot.root, top)))) state[`${top}/${name}`] = value;
  }
  return state;
}

describe('a read-only or full /boot: one ArborError naming the path and the filesystem, nothing changed', function () {
  this.timeout(120_000);
  // Unmounted before useTempDir's afterEach removes the directory they are on: hooks run in order.
  const undo: (() => void)[] = [];
  afterEach(() => {
    while (undo.length > 0) undo.pop()!();
  });
  const tmp = useTempDir('arbor-boot-errno-');
  let sysroot: TestSysroot;
  let boot: string;
  let v1: string;
  let v2: string;

  beforeEach(async function () {
    requireRoot(this);
    sysroot = TestSysroot.create(path.join(tmp(), 'sysroot'));
    boot = path.join(sysroot.root, 'boot');
    v1 = await sysroot.commit(tmp(), { version: '1', etc: { 'app.conf': 'v1\n' } });
    v2 = await sysroot.commit(tmp(), { version: '2', etc: { 'app.conf': 'v2\n' }, kernelVersion: '6.1.0' });
    sysroot.run('deploy', v1);
  });

  /** A kernel directory no deployment boots, as an interrupted retention leaves one: what cleanup removes. */
  function strayKernel(bytes = 64): string {
    const dir = path.join(boot, 'arbor', `os-${'e'.repeat(64)}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'vmlinuz-5.0.0'), randomBytes(bytes));
    return dir;
  }

  it('deploy with /boot read-only: EROFS on mkdir (not Node\'s ENOENT), naming the kernel directory and the filesystem', () => {
    const before = sysrootState(sysroot);
    undo.push(readOnlyBoot(boot));
    const line = errorLine(runArbor(['deploy', v2, '--sysroot', sysroot.root]), 'ARBOR_BOOT_FILESYSTEM');
    assert.match(line, /^Error: Cannot create directory \/arbor\/os-[0-9a-f]{64}\.tmp on the \/boot \(\w+ at \S+\/sysroot\/boot\): EROFS \(mkdir\) \[ARBOR_BOOT_FILESYSTEM\] \(hint: The partition is mounted read-only: remount it read-write\)$/);
    assert.deepEqual(sysrootState(sysroot), before);
  });

  it('cleanup with /boot read-only: EROFS on the rename that retires an unused kernel, naming it and the filesystem', () => {
    const stray = strayKernel();
    const before = sysrootState(sysroot);
    undo.push(readOnlyBoot(boot));
    const line = errorLine(runArbor(['cleanup', '--sysroot', sysroot.root]), 'ARBOR_BOOT_FILESYSTEM');
    const name = path.basename(stray);
    assert.ok(line.startsWith(`Error: Cannot rename /arbor/${name} to arbor/${name}.removing on the /boot (`), line);
    assert.ok(line.endsWith(` at ${boot}): EROFS (rename) [ARBOR_BOOT_FILESYSTEM] (hint: The partition is mounted read-only: remount it read-write)`), line);
    assert.deepEqual(sysrootState(sysroot), before);
  });

  it('cleanup with /boot read-only when the boot order shrinks: the entry swap fails first, naming the path and the filesystem', () => {
    sysroot.run('deploy', v2, '--keep', '1');
    sysroot.run('deploy', v1, '--keep', '2');
    assert.equal(sysroot.status().deployments.length, 3);
    const before = sysrootState(sysroot);
    undo.push(readOnlyBoot(boot));
    const run = runArbor(['cleanup', '--sysroot', sysroot.root]);
    // swapBootOrder warns that it could not write the old version again either (/boot is read-only).
    const line = errorLine({ ...run, stderr: run.stderr.replace(/^warning: Could not restore boot version \d after the failed swap: .*\n/, '') }, 'ARBOR_BOOT_FILESYSTEM');
    assert.match(line, / on the \/boot \(\w+ at \S+\/sysroot\/boot\): EROFS \(\w+\)/);
    // /boot, the deployments and the live boot link are as they were. The inactive boot.1.*
    // links and boot.pending stay by swapBootOrder's design: the next command finishes the swap.
    const live = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([name]) => /^(boot\/|arbor\/deploy\/|arbor\/boot\/$)/.test(name)));
    assert.deepEqual(live(sysrootState(sysroot)), live(before));
    assert.equal(sysroot.status().deployments.length, 3);
  });

  it('deploy with /boot full: ARBOR_FS_NO_SPACE naming the kernel, the file and the filesystem, no .tmp left; cleanup then frees it and the deploy goes through', async () => {
    const big = await commitWithKernel(sysroot, tmp(), 1 << 20);
    undo.push(smallBoot(boot, '2m'));
    // An unused 1.5 MiB kernel fills the 2 MiB /boot: the new 1 MiB kernel cannot fit beside it.
    strayKernel(1536 * 1024);
    const before = sysrootState(sysroot);
    const line = errorLine(runArbor(['deploy', big, '--sysroot', sysroot.root]), 'ARBOR_FS_NO_SPACE');
    assert.match(line, /^Error: No space left to copy to \/arbor\/os-[0-9a-f]{64}\.tmp\/vmlinuz-6\.2\.0 \(the kernel 6\.2\.0\) on the \/boot \(tmpfs at \S+\/sysroot\/boot\): ENOSPC \(\w+\) \[ARBOR_FS_NO_SPACE\] \(hint: The partition is full: `arbor cleanup` removes kernels no deployment boots\)$/);
    assert.deepEqual(sysrootState(sysroot), before);

    // The hint holds: cleanup deletes on a full /boot, and the deploy then fits.
    sysroot.run('cleanup');
    assert.deepEqual(fs.readdirSync(path.join(boot, 'arbor')).filter((name) => name.startsWith('os-eee')), []);
    sysroot.run('deploy', big);
    assert.equal(sysroot.status().deployments[0]!.commit, big);
  });
});

/** A commit of the test OS whose kernel (6.2.0) is `bytes` of random data. */
async function commitWithKernel(sysroot: TestSysroot, scratch: string, bytes: number): Promise<string> {
  const tree = path.join(scratch, 'tree-big-kernel');
  buildOsTree(tree, { version: '3', etc: { 'app.conf': 'v3\n' }, kernelVersion: '6.2.0' });
  fs.writeFileSync(path.join(tree, 'usr/lib/modules/6.2.0/vmlinuz'), randomBytes(bytes));
  return (await commitTree(new Arbor(), Repo.open(sysroot.repoPath), { tree, branch: 'os/x86_64' })).commit;
}
