import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, BootEntry } from '@arbor/core';
import { commitTree } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import { readStatus, type SysrootStatus as StatusJson } from '@arbor/core/sysroot';
import { Sysroot } from '@arbor/core/sysroot';
import { runArbor, type ArborRun } from '../support/runArbor';
import { writeTree } from '../support/tempDir';

/** One version of the test OS: what differs between v1, v2 and v3. */
export interface OsVersion {
  version: string;
  /** Files under usr/etc (the defaults). */
  etc: Record<string, string>;
  kernelVersion?: string;
  /** Files under var (seeded into the stateroot's /var on the first deploy only). */
  var?: Record<string, string>;
}

/**
 * Writes a small bootable OS tree: config defaults in usr/etc, a kernel and initramfs in
 * usr/lib/modules/<kver>/, os-release, a binary and some /var content.
 */
export function buildOsTree(dir: string, os: OsVersion): void {
  const kver = os.kernelVersion ?? '6.0.0';
  writeTree(dir, {
    'usr/lib/os-release': `NAME="Arbor Test OS"\nPRETTY_NAME="Arbor Test OS"\nID=arbortest\nVERSION="${os.version}"\n`,
    [`usr/lib/modules/${kver}/vmlinuz`]: `vmlinuz ${kver}\n`,
    [`usr/lib/modules/${kver}/initramfs.img`]: `initramfs ${kver}\n`,
    'usr/bin/tool': `#!/bin/sh\necho ${os.version}\n`,
    ...Object.fromEntries(Object.entries(os.etc).map(([file, text]) => [`usr/etc/${file}`, text])),
    ...Object.fromEntries(Object.entries(os.var ?? {}).map(([file, text]) => [`var/${file}`, text])),
  });
  fs.chmodSync(path.join(dir, 'usr/bin/tool'), 0o755);
}

/** A sysroot driven through the real CLI, as an admin would. */
export class TestSysroot {
  constructor(readonly root: string, readonly stateroot = 'os') {}

  static create(root: string, options: { stateroot?: string; bootloader?: string } = {}): TestSysroot {
    const sysroot = new TestSysroot(root, options.stateroot);
    const args = ['sysroot', 'init', root, '--stateroot', sysroot.stateroot];
    if (options.bootloader) args.push('--bootloader', options.bootloader);
    expectSuccess(runArbor(args), args);
    return sysroot;
  }

  get repoPath(): string {
    return path.join(this.root, 'arbor', 'repo');
  }

  /** Commits an OS tree to `branch` in the sysroot's repo and returns the commit ID. */
  async commit(scratch: string, os: OsVersion, branch = 'os/x86_64'): Promise<string> {
    const tree = path.join(scratch, `tree-${os.version}-${Date.now()}`);
    buildOsTree(tree, os);
    const result = await commitTree(new Arbor(), Repo.open(this.repoPath), {
      tree,
      branch,
      subject: `Arbor Test OS ${os.version}`,
      metadata: { version: os.version },
    });
    fs.rmSync(tree, { recursive: true, force: true });
    return result.commit;
  }

  /** Runs `arbor <args> --sysroot S` and expects exit 0. */
  run(...args: string[]): ArborRun {
    const full = [...args, '--sysroot', this.root];
    return expectSuccess(runArbor(full), full);
  }

  json<T = Record<string, unknown>>(...args: string[]): T {
    return this.run(...args, '--json').json<T>();
  }

  /** `arbor status --json`, through the CLI. */
  status(): StatusJson {
    return this.json<StatusJson>('status');
  }

  /** The same document read in-process: for checks between steps, without a process start. */
  state(): StatusJson {
    return readStatus(Sysroot.open(this.root));
  }

  deploymentPath(commit: string, serial = 0): string {
    return path.join(this.root, 'arbor', 'deploy', this.stateroot, 'deploy', `${commit}.${serial}`);
  }

  /** The BLS entries that boot/loader/entries holds now, by file name. */
  bootEntries(): Map<string, BootEntry> {
    const dir = path.join(this.root, 'boot', 'loader', 'entries');
    const entries = new Map<string, BootEntry>();
    if (!fs.existsSync(dir)) return entries;
    for (const name of fs.readdirSync(dir).sort()) entries.set(name, BootEntry.parse(fs.readFileSync(path.join(dir, name), 'utf8')));
    return entries;
  }

  /**
   * Every boot entry's `arbor=` link resolves to a complete deployment (tree with usr/, etc/
   * and an origin beside it), and its kernel and initramfs exist in /boot.
   */
  assertEntriesBootCompleteDeployments(): void {
    for (const [name, entry] of this.bootEntries()) {
      const link = /(?:^| )arbor=(\S+)/.exec(entry.options)?.[1];
      assert.ok(link, `${name} has an arbor= argument`);
      const deployment = fs.realpathSync(path.join(this.root, link));
      assert.ok(fs.existsSync(path.join(deployment, 'usr', 'bin', 'tool')), `${name}: ${deployment} has its /usr`);
      assert.ok(fs.existsSync(path.join(deployment, 'etc')), `${name}: ${deployment} has its etc/`);
      assert.ok(fs.existsSync(`${deployment}.origin`), `${name}: ${deployment} has its origin`);
      for (const key of ['linux', 'initrd']) {
        assert.ok(fs.existsSync(path.join(this.root, 'boot', entry.get(key)!)), `${name}: ${key} ${entry.get(key)} exists`);
      }
    }
  }
}

export type { DeploymentStatus as DeploymentJson, SysrootStatus as StatusJson } from '@arbor/core/sysroot';

export function expectSuccess(run: ArborRun, args: string[]): ArborRun {
  assert.equal(run.status, 0, `arbor ${args.join(' ')} exited ${run.status}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}

/** Every entry under `root` as `type mode uid:gid content-or-target`, for before/after checks. */
export function snapshotTree(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (relative: string) => {
    const full = path.join(root, relative);
    const stat = fs.lstatSync(full);
    const head = `${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}`;
    if (stat.isDirectory()) {
      entries[relative || '.'] = `dir ${head}`;
      for (const name of fs.readdirSync(full).sort()) walk(relative ? `${relative}/${name}` : name);
    } else if (stat.isSymbolicLink()) {
      entries[relative] = `link ${head} ${fs.readlinkSync(full)}`;
    } else if (stat.isFile()) {
      entries[relative] = `file ${head} ${fs.readFileSync(full, 'base64')}`;
    } else {
      entries[relative] = `special ${head}`;
    }
  };
  walk('');
  return entries;
}
