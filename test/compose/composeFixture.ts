import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { ARBOR_BIN, runArbor, type ArborRun } from '../support/runArbor';
import type { TestPackage } from './TestRpmRepo';

/**
 * The packages the compose tests build: a small OS-shaped set with /etc and /var content, a
 * symlink, a versioned require with an older candidate, a Recommends, a systemd unit and a
 * kernel, so every postprocess step has something to act on.
 */
export const OS_PACKAGES: TestPackage[] = [
  {
    name: 'demo-filesystem', version: '3.18',
    files: {
      '/etc': { dir: true }, '/usr': { dir: true }, '/usr/bin': { dir: true }, '/usr/lib': { dir: true },
      '/usr/share': { dir: true }, '/var': { dir: true }, '/var/log': { dir: true }, '/var/lib': { dir: true },
      '/var/tmp': { dir: true, mode: 0o1777 }, '/bin': { symlink: 'usr/bin' },
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\ndemo:x:1001:1001::/var/lib/demo:/sbin/nologin\n',
      '/etc/group': 'root:x:0:\ndemo:x:1001:\n',
    },
  },
  { name: 'greeting', version: '1.0', files: { '/usr/share/greeting/text': 'hello, old world\n' } },
  { name: 'greeting', version: '2.1', requires: ['demo-filesystem'], files: { '/usr/share/greeting/text': 'hello, world\n' } },
  {
    name: 'hello', version: '2.12', release: '3', requires: ['greeting >= 2.0', 'demo-filesystem'], recommends: ['hello-docs'],
    files: {
      '/usr/bin/hello': { content: '#!/bin/sh\ncat /usr/share/greeting/text\n', mode: 0o755 },
      '/etc/hello.conf': 'greeting=plain\n',
      '/var/lib/hello': { dir: true, mode: 0o750 },
      '/var/log/hello': { dir: true },
      '/var/lib/hello-current': { symlink: '/usr/share/greeting' },
      '/usr/lib/systemd/system/hello.service': '[Unit]\nDescription=Hello\n[Service]\nExecStart=/usr/bin/hello\n[Install]\nWantedBy=multi-user.target\n',
    },
  },
  { name: 'hello-docs', version: '2.12', requires: ['hello'], files: { '/usr/share/doc/hello/README': 'Say hello.\n' } },
  {
    name: 'kernel-demo', version: '6.1.0', release: '1',
    files: { '/usr/lib/modules/6.1.0-1.demo/vmlinuz': 'not really a kernel\n', '/usr/lib/modules/6.1.0-1.demo/modules.dep': '' },
  },
  { name: 'unrelated', version: '1', files: { '/usr/share/unrelated': 'never requested\n' } },
];

/** An arbor config naming the fedora preset, so compose has its plugins. */
export function writeConfig(dir: string): string {
  const file = path.join(dir, 'arbor.config.json');
  fs.writeFileSync(file, JSON.stringify({ preset: 'fedora' }));
  return file;
}

export function arbor(config: string, ...args: string[]): ArborRun {
  return runArbor([...args, '--config', config]);
}

/** Runs arbor and fails with its stderr when it does not exit 0. */
export function arborOk(config: string, ...args: string[]): ArborRun {
  const run = arbor(config, ...args);
  if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
  return run;
}

/** `arborOk` without blocking, so independent composes can run side by side (each is a CLI start). */
export function arborOkAsync(config: string, ...args: string[]): Promise<ArborRun> {
  const all = [...args, '--config', config];
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [ARBOR_BIN, ...all], { env: { ...process.env, DEBUG: '' }, maxBuffer: 64 * 1024 * 1024 }, (_error, stdout, stderr) => {
      if (child.exitCode !== 0) {
        reject(new Error(`arbor ${args.join(' ')} exited ${child.exitCode}:\n${stderr}${stdout}`));
        return;
      }
      resolve({ status: 0, stdout, stderr, json: <T>() => JSON.parse(stdout) as T });
    });
  });
}

/**
 * A tree as `find -printf` sees it: path, type, mode, owner, group, symlink target, and a
 * sha256 for regular files; sorted, so two trees compare line by line.
 */
export function describeTree(root: string, ignore: RegExp[] = []): string[] {
  const listing = execFileSync('find', [root, '-mindepth', '1', '-printf', '%P\t%y\t%m\t%U\t%G\t%l\n'], { encoding: 'utf8' });
  return listing.split('\n').filter(Boolean).filter((line) => !ignore.some((pattern) => pattern.test(line.split('\t')[0]!)))
    .map((line) => {
      const [relative, type] = line.split('\t');
      if (type !== 'f') return line;
      const digest = execFileSync('sha256sum', [path.join(root, relative!)], { encoding: 'utf8' }).split(' ')[0];
      return `${line}\t${digest}`;
    })
    .sort();
}

/** What the postprocess moves do, applied by hand to an `rpm --root` install: /etc -> /usr/etc, /var emptied. */
export function applyPostprocessMoves(root: string): void {
  if (fs.existsSync(path.join(root, 'etc'))) fs.renameSync(path.join(root, 'etc'), path.join(root, 'usr/etc'));
  const varDir = path.join(root, 'var');
  if (fs.existsSync(varDir)) for (const name of fs.readdirSync(varDir)) fs.rmSync(path.join(varDir, name), { recursive: true, force: true });
}

/** Every commit object in a repo, to prove a failed compose wrote none. */
export function commitObjects(repo: string): string[] {
  const objects = path.join(repo, 'objects');
  if (!fs.existsSync(objects)) return [];
  return execFileSync('find', [objects, '-name', '*.commit'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/**
 * An empty bare repo, made in process: `arbor init` has its own tests, and each CLI start costs
 * about a second on this machine, which the compose tests would pay dozens of times.
 */
export function initRepo(repo: string): string {
  Repo.init(repo, { mode: 'bare' });
  return repo;
}

/** The refs of a repo, read in process (`arbor refs --json`'s answer). */
export function refsOf(repo: string): Record<string, string> {
  return Repo.open(repo).listRefs();
}

/** A commit's root dirtree ID and metadata (`arbor show --json`'s `root` and `metadata`). */
export function showCommit(repo: string, rev: string): { root: string; metadata: Record<string, unknown> } {
  const opened = Repo.open(repo);
  const commit = opened.readCommit(opened.resolveRev(rev));
  return { root: commit.rootTree, metadata: commit.metadata };
}
