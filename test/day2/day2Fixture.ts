import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OriginFile } from '@arbor/core/sysroot';
import { runArbor, type ArborRun } from '../support/runArbor';
import { TestSysroot, type OsVersion } from '../sysroot/sysrootFixture';

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
