import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SandboxRun {
  /** The tree to use as `/`. */
  tree: string;
  /** Program and arguments, as seen inside the tree. */
  argv: string[];
  stdin?: string | Buffer;
  /**
   * Files to place in the sandbox's private /tmp, read-only: `{ '/tmp/script': body }`. Scripts
   * go in as files, not on stdin: Node's stdio pipes are sockets, which /dev/stdin cannot open.
   */
  inputs?: Record<string, string | Buffer>;
  env?: Record<string, string>;
  signal?: AbortSignal;
}

export interface SandboxResult {
  status: number;
  output: string;
}

/** Mount points bubblewrap creates in the tree; removed again if they were not there before. */
const MOUNT_POINTS = ['proc', 'dev', 'tmp'];

/** bubblewrap's arguments for one run, and the scratch files they name. */
export interface BwrapInvocation {
  args: string[];
  /** Removes the files the run's `inputs` were written to. */
  dispose(): void;
}

/**
 * Runs a program with a composed tree as its root, the way rpm-ostree runs scriptlets and
 * postprocess scripts: bubblewrap binds the tree read-write at `/`, gives it fresh /proc, /dev
 * and /tmp, no network and no host environment, so what a script does lands in the tree and
 * nowhere else, and it runs the tree's own interpreter.
 */
export async function runInTree(run: SandboxRun): Promise<SandboxResult> {
  const created = MOUNT_POINTS.filter((name) => !fs.existsSync(path.join(run.tree, name)));
  const bwrap = bwrapInvocation(run);
  try {
    return await spawnSandbox('bwrap', bwrap.args, run);
  } finally {
    for (const name of created) fs.rmSync(path.join(run.tree, name), { recursive: true, force: true });
    bwrap.dispose();
  }
}

/**
 * The bubblewrap arguments runInTree uses, for a sandbox that sets up its root itself (the
 * layering overlay mounts one first): `root` is bound at `/` (default: the run's tree) and each
 * of `binds` at its place inside, then the same /proc, /dev, /tmp, inputs, unshared namespaces
 * and clean environment.
 */
export function bwrapInvocation(run: SandboxRun, mounts: { root?: string; binds?: ReadonlyArray<readonly [host: string, inside: string]> } = {}): BwrapInvocation {
  const inputDir = run.inputs ? fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-sandbox-')) : undefined;
  const dispose = () => {
    if (inputDir) fs.rmSync(inputDir, { recursive: true, force: true });
  };
  try {
    const inputs: string[] = [];
    for (const [inside, content] of Object.entries(run.inputs ?? {})) {
      if (!inside.startsWith('/tmp/')) throw new Error(`sandbox input ${inside} must be under /tmp`);
      const host = path.join(inputDir!, String(inputs.length / 3));
      fs.writeFileSync(host, content, { mode: 0o644 });
      inputs.push('--ro-bind', host, inside);
    }
    const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root', ...run.env };
    const args = [
      '--bind', mounts.root ?? run.tree, '/',
      ...(mounts.binds ?? []).flatMap(([host, inside]) => ['--bind', host, inside]),
      '--proc', '/proc',
      '--dev', '/dev',
      '--tmpfs', '/tmp',
      ...inputs,
      '--unshare-all',
      '--die-with-parent',
      '--chdir', '/',
      '--clearenv',
      ...Object.entries(env).flatMap(([key, value]) => ['--setenv', key, value]),
      ...run.argv,
    ];
    return { args, dispose };
  } catch (error) {
    dispose();
    throw error;
  }
}

/**
 * Spawns `program` (bwrap, or a wrapper that ends in it) with the run's stdin and signal, and
 * collects stdout and stderr together, as a scriptlet's log reads.
 */
export function spawnSandbox(program: string, args: readonly string[], run: Pick<SandboxRun, 'stdin' | 'signal'>): Promise<SandboxResult> {
  return new Promise<SandboxResult>((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], signal: run.signal });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ status: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }));
    child.stdin.on('error', () => {});
    child.stdin.end(run.stdin ?? '');
  });
}

/**
 * Whether the tree can run `interpreter` (an absolute path inside it): it must exist and be
 * executable there, following symlinks within the tree (`/bin` -> `usr/bin`).
 */
export function treeHasProgram(tree: string, interpreter: string): boolean {
  let current = interpreter;
  for (let hops = 0; hops < 40; hops++) {
    const resolved = resolveInTree(tree, current);
    if (!resolved) return false;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(resolved);
    } catch {
      return false;
    }
    if (!stat.isSymbolicLink()) return stat.isFile() && (stat.mode & 0o111) !== 0;
    const target = fs.readlinkSync(resolved);
    current = path.posix.isAbsolute(target) ? target : path.posix.join(path.posix.dirname(current), target);
  }
  return false;
}

/** Maps an absolute in-tree path to the host, resolving symlinked parent directories inside the tree. */
function resolveInTree(tree: string, inside: string): string | undefined {
  const parts = path.posix.normalize(inside).split('/').filter(Boolean);
  let host = tree;
  let logical = '/';
  for (let index = 0; index < parts.length; index++) {
    const next = path.join(host, parts[index]!);
    if (index === parts.length - 1) return next;
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(next);
    } catch {
      return undefined;
    }
    if (stat.isSymbolicLink()) {
      const target = fs.readlinkSync(next);
      const rest = parts.slice(index + 1).join('/');
      const base = path.posix.isAbsolute(target) ? target : path.posix.join(logical, target);
      return resolveInTree(tree, path.posix.join(base, rest));
    }
    host = next;
    logical = path.posix.join(logical, parts[index]!);
  }
  return host;
}
