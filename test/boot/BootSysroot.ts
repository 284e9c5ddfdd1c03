import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, BootEntry } from '@arbor/core';
import { commitTree } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import { runArbor, type ArborRun } from '../support/runArbor';
import { writeTree } from '../support/tempDir';

/** The kernel and initramfs a test OS version ships in usr/lib/modules/<kver>/. */
export interface BootFiles {
  kernelVersion: string;
  vmlinuz: string | Buffer;
  initramfs: string | Buffer;
}

export interface BootSysrootOptions {
  bootloader: 'systemd-boot' | 'bls';
  /** Recorded as the sysroot's `bootloaderOptions`. */
  bootloaderOptions?: Record<string, unknown>;
  /** Created as SYSROOT/boot/efi unless given. */
  esp?: string;
  /** Extra environment for every arbor run (the FAT rules preload). */
  env?: NodeJS.ProcessEnv;
}

/**
 * A sysroot whose bootloader is systemd-boot (or bls), driven through the real CLI with a
 * config that loads @arbor/plugin-systemd-boot, as an admin's /etc/arbor config would.
 */
export class BootSysroot {
  readonly config: string;
  readonly esp: string;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(readonly root: string, options: BootSysrootOptions, readonly stateroot = 'os') {
    this.config = path.join(root, '..', `${path.basename(root)}.arbor.config.json`);
    this.esp = options.esp ?? path.join(root, 'boot', 'efi');
    this.env = { ...process.env, DEBUG: '', ...options.env };
  }

  static create(root: string, options: BootSysrootOptions): BootSysroot {
    const sysroot = new BootSysroot(root, options);
    fs.mkdirSync(path.dirname(root), { recursive: true });
    fs.writeFileSync(sysroot.config, JSON.stringify({ plugins: ['systemd-boot'] }));
    sysroot.arbor('sysroot', 'init', root, '--stateroot', sysroot.stateroot, '--bootloader', options.bootloader, ...(options.esp ? ['--esp', options.esp] : []));
    fs.mkdirSync(sysroot.esp, { recursive: true });
    if (options.bootloaderOptions) {
      const file = path.join(root, 'arbor', 'config.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify({ ...config, bootloaderOptions: options.bootloaderOptions }, null, 2));
    }
    return sysroot;
  }

  /** `arbor <args> --config C`, expecting exit 0. */
  arbor(...args: string[]): ArborRun {
    const run = runArbor([...args, '--config', this.config], { env: this.env });
    assert.equal(run.status, 0, `arbor ${args.join(' ')} exited ${run.status}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return run;
  }

  /** `arbor <args> --sysroot S`, expecting exit 0. */
  run(...args: string[]): ArborRun {
    return this.arbor(...args, '--sysroot', this.root);
  }

  /** The same command line, for a child process a test may kill. */
  command(...args: string[]): { args: string[]; env: NodeJS.ProcessEnv } {
    return { args: [...args, '--sysroot', this.root, '--config', this.config], env: this.env };
  }

  status(): { deployments: { index: number; commit: string; serial: number; version?: string }[] } {
    return JSON.parse(this.run('status', '--json').stdout);
  }

  /** Commits a bootable OS version to `branch` and returns the commit ID. */
  async commit(scratch: string, version: string, boot: BootFiles, branch = 'os/x86_64'): Promise<string> {
    const tree = path.join(scratch, `tree-${version}-${process.hrtime.bigint()}`);
    writeTree(tree, {
      'usr/lib/os-release': `NAME="Arbor Test OS"\nPRETTY_NAME="Arbor Test OS"\nID=arbortest\nVERSION="${version}"\n`,
      'usr/bin/tool': `#!/bin/sh\necho ${version}\n`,
      'usr/etc/hostname': `v${version}\n`,
    });
    const modules = path.join(tree, 'usr', 'lib', 'modules', boot.kernelVersion);
    fs.mkdirSync(modules, { recursive: true });
    fs.writeFileSync(path.join(modules, 'vmlinuz'), boot.vmlinuz);
    fs.writeFileSync(path.join(modules, 'initramfs.img'), boot.initramfs);
    const result = await commitTree(new Arbor(), Repo.open(path.join(this.root, 'arbor', 'repo')), {
      tree,
      branch,
      subject: `Arbor Test OS ${version}`,
      metadata: { version },
    });
    fs.rmSync(tree, { recursive: true, force: true });
    return result.commit;
  }

  /** The deployment an `arbor=` argument boots, when its link resolves to a complete one. */
  resolveArborArgument(options: string): string | undefined {
    const link = /(?:^| )arbor=(\S+)/.exec(options)?.[1];
    if (!link) return undefined;
    try {
      const deployment = fs.realpathSync(path.join(this.root, link));
      const complete = fs.existsSync(path.join(deployment, 'usr', 'bin', 'tool')) && fs.existsSync(path.join(deployment, 'etc')) && fs.existsSync(`${deployment}.origin`);
      return complete ? path.basename(deployment) : undefined;
    } catch {
      return undefined;
    }
  }
}

/** One entry as `bootctl list --json=short` prints it (systemd 252). */
export interface BootctlEntry {
  id: string;
  path: string;
  title: string;
  version?: string;
  linux?: string;
  initrd?: string[];
  options?: string;
  isDefault?: boolean;
  triesLeft?: number;
  triesDone?: number;
}

/**
 * systemd's own reader, bootctl, over an ESP directory. bootctl wants the ESP to be a mount
 * point, so the directory is bind-mounted onto itself for the call (root only);
 * SYSTEMD_RELAX_ESP_CHECKS=1 waives the partition type and filesystem checks.
 */
export function bootctl(esp: string, args: string[], boot = esp): string {
  const mounts = [...new Set([esp, boot])];
  const mounted: string[] = [];
  try {
    for (const dir of mounts) {
      const mount = spawnSync('mount', ['--bind', dir, dir], { encoding: 'utf8' });
      if (mount.status !== 0) throw new Error(`mount --bind ${dir}: ${mount.stderr.trim()}`);
      mounted.push(dir);
    }
    return execFileSync('bootctl', [`--esp-path=${esp}`, `--boot-path=${boot}`, '--no-pager', ...args], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: '1', SYSTEMD_COLORS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    for (const dir of mounted.reverse()) spawnSync('umount', [dir]);
  }
}

export function bootctlEntries(esp: string, boot = esp): BootctlEntry[] {
  return bootctl(esp, ['list', '--json=short'], boot).trim().split('\n').filter(Boolean).flatMap((line) => JSON.parse(line) as BootctlEntry | BootctlEntry[]);
}

/** The title bootctl marks `(default)` in its human listing. */
export function bootctlDefaultTitle(esp: string, boot = esp): string | undefined {
  return /^\s*title: (.*) \(default\)/m.exec(bootctl(esp, ['list'], boot))?.[1];
}

/** The BLS entries in DIR/loader/entries, by file name, parsed. */
export function entriesIn(dir: string): Map<string, BootEntry> {
  const entries = new Map<string, BootEntry>();
  const entriesDir = path.join(dir, 'loader', 'entries');
  if (!fs.existsSync(entriesDir)) return entries;
  for (const name of fs.readdirSync(entriesDir).sort()) {
    if (name.endsWith('.conf')) entries.set(name, BootEntry.parse(fs.readFileSync(path.join(entriesDir, name), 'utf8'), name));
  }
  return entries;
}

/** Every file under `dir`, relative, sorted. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else found.push(child);
    }
  };
  walk('');
  return found.sort();
}
