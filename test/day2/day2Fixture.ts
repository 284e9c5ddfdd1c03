import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { commitTree, Repo } from '@arbor/core/store';
import { OriginFile } from '@arbor/core/sysroot';
import { runArbor, type ArborRun } from '../support/runArbor';
import { TestSysroot, buildOsTree, type OsVersion } from '../sysroot/sysrootFixture';

/** A temp directory per suite, removed after it. */
export function useScratch(prefix: string): () => string {
  let scratch = '';
  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), `arbor-day2-${prefix}-`));
  });
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));
  return () => scratch;
}

/** The test OS at `version`, with a kernel of its own so retention's kernel removal shows. */
export function osVersion(version: string): OsVersion {
  return { version, etc: { 'app.conf': `app ${version}\n` }, kernelVersion: `6.${version}.0` };
}

/** Runs `arbor <args> --sysroot S` whatever its exit status. */
export function attempt(sysroot: TestSysroot, ...args: string[]): ArborRun {
  return runArbor([...args, '--sysroot', sysroot.root]);
}

/** The origin file of a deployment, read back as the core reads it. */
export function originOf(sysroot: TestSysroot, commit: string, serial = 0): OriginFile {
  return OriginFile.read(`${sysroot.deploymentPath(commit, serial)}.origin`);
}

/** The deployment directories the stateroot holds on disk (`<commit>.<serial>`), sorted. */
export function deploymentDirs(sysroot: TestSysroot): string[] {
  const dir = path.join(sysroot.root, 'arbor', 'deploy', sysroot.stateroot, 'deploy');
  return fs.readdirSync(dir).filter((name) => !name.endsWith('.origin')).sort();
}

/** The kernel directories in /boot/arbor. */
export function kernelDirs(sysroot: TestSysroot): string[] {
  return fs.readdirSync(path.join(sysroot.root, 'boot', 'arbor')).sort();
}

/**
 * An archive-mode repo a sysroot pulls from (file:// or `arbor serve`): `commit` adds a
 * version of the test OS on a branch and refreshes the summary, as a release would.
 */
export class RemoteRepo {
  private constructor(readonly path: string, private readonly scratch: string) {}

  static init(dir: string, scratch: string): RemoteRepo {
    const run = runArbor(['init', '--repo', dir, '--mode', 'archive']);
    if (run.status !== 0) throw new Error(run.stderr);
    return new RemoteRepo(dir, scratch);
  }

  async commit(branch: string, version: string): Promise<string> {
    const tree = path.join(this.scratch, `remote-tree-${version}-${Date.now()}`);
    buildOsTree(tree, osVersion(version));
    const result = await commitTree(new Arbor(), Repo.open(this.path), { tree, branch, subject: `Arbor Test OS ${version}`, metadata: { version } });
    fs.rmSync(tree, { recursive: true, force: true });
    const summary = runArbor(['summary', '--repo', this.path]);
    if (summary.status !== 0) throw new Error(summary.stderr);
    return result.commit;
  }
}
