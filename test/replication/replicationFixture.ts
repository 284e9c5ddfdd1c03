import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { addRemote } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { ARBOR_BIN, runArbor, type ArborRun } from '../support/runArbor';

/**
 * The CLI without blocking this process: needed whenever the server under test runs in the
 * test's own event loop (a spawnSync would freeze it).
 */
export async function arborAsync(args: string[]): Promise<ArborRun> {
  const child = spawn(process.execPath, [ARBOR_BIN, ...args], { env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return {
    status,
    stdout,
    stderr,
    json<T>() {
      return JSON.parse(stdout) as T;
    },
  };
}

/** Runs the CLI and insists it succeeded, showing stderr when it did not. */
export function arbor(args: string[], cwd?: string): ArborRun {
  const run = runArbor(args, cwd ? { cwd } : {});
  assert.equal(run.status, 0, `arbor ${args.join(' ')} failed:\n${run.stderr}`);
  return run;
}

/**
 * A tree with what a pull must carry exactly: nested directories, many small files, an empty
 * file, modes, symlinks, and two large files (one that zstd shrinks, one of random bytes that
 * takes the streaming path on the client). Deterministic, so two calls give the same IDs.
 */
export function makeTree(root: string, options: { files?: number; large?: boolean } = {}): void {
  const files = options.files ?? 240;
  for (let index = 0; index < files; index++) {
    const dir = path.join(root, `usr/share/d${index % 12}`, `sub${index % 3}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `file-${index}.txt`), `file ${index}\n`.repeat(1 + (index * 37) % 400));
  }
  fs.mkdirSync(path.join(root, 'usr/bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/bin/tool'), '#!/bin/sh\necho tool\n', { mode: 0o755 });
  fs.writeFileSync(path.join(root, 'usr/share/empty'), '');
  fs.symlinkSync('../share/d1', path.join(root, 'usr/bin/link-to-d1'));
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(root, 'etc/secret.conf'), 'key=value\n', { mode: 0o600 });
  if (options.large) {
    fs.writeFileSync(path.join(root, 'usr/share/compressible.bin'), Buffer.alloc(24 << 20, 'arbor '));
    fs.writeFileSync(path.join(root, 'usr/share/random.bin'), seededBytes(18 << 20));
  }
}

/** Changes `count` existing small files and adds one, as an update does. */
export function changeTree(root: string, count: number, stamp: string): void {
  for (let index = 0; index < count; index++) {
    const file = path.join(root, `usr/share/d${index % 12}`, `sub${index % 3}`, `file-${index}.txt`);
    fs.appendFileSync(file, `changed in ${stamp}\n`);
  }
  fs.writeFileSync(path.join(root, `usr/share/new-in-${stamp}`), stamp);
}

function seededBytes(length: number): Buffer {
  const out = Buffer.alloc(length);
  let counter = 0;
  for (let offset = 0; offset < length; offset += 32) {
    crypto.createHash('sha256').update(`seed-${counter++}`).digest().copy(out, offset);
  }
  return out;
}

/** A server archive repo with one signed commit of `tree` on os/main and a signed summary. */
export interface SourceRepo {
  repo: string;
  key: string;
  pub: string;
  commit: string;
}

export function makeSourceRepo(dir: string, tree: string): SourceRepo {
  const repo = path.join(dir, 'server-repo');
  const key = path.join(dir, 'signing.key');
  arbor(['key', 'generate', '--out', key]);
  arbor(['init', '--repo', repo, '--mode', 'archive']);
  const commit = arbor(['commit', '--repo', repo, '--branch', 'os/main', '--tree', tree, '--subject', 'v1', '--sign-key', key]).stdout.trim();
  arbor(['summary', '--repo', repo, '--sign-key', key]);
  return { repo, key, pub: `${key}.pub`, commit };
}

/** `arbor serve` as a child process; resolves once it printed its URL. */
export async function startArborServe(repo: string): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [ARBOR_BIN, 'serve', '--repo', repo, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (match) resolve(`${match[1]}/`);
    });
    child.once('exit', (code) => reject(new Error(`arbor serve exited (${code}): ${stderr}`)));
  });
  return {
    url,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A client repo (bare: we run as root in CI) with `origin` added as a signed remote, through
 * the CLI or, where setup is not what a test is about, the library (each CLI start costs ~0.7 s).
 */
export function makeClient(dir: string, name: string, url: string, pub: string, options: { cli?: boolean } = {}): string {
  const repo = path.join(dir, name);
  if (options.cli) {
    arbor(['init', '--repo', repo, '--mode', 'bare']);
    arbor(['remote', 'add', 'origin', url, '--repo', repo, '--verify-key', pub]);
  } else {
    Repo.init(repo, { mode: 'bare' });
    addRemote(repo, { name: 'origin', url, verifyKeyFile: pub });
  }
  return repo;
}

/** The repo's refs, read directly. */
export function refs(repo: string): Record<string, string> {
  return Repo.open(repo).listRefs();
}

/** Checks out `ref` and compares it with `tree`: names, types, modes, content, link targets. */
export function assertCheckoutMatches(repo: string, ref: string, tree: string, dest: string): void {
  arbor(['checkout', '--repo', repo, ref, dest]);
  assert.deepEqual(describeTree(dest), describeTree(tree));
}

function describeTree(root: string): string[] {
  const lines: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      const stat = fs.lstatSync(full);
      const rel = `${prefix}${name}`;
      if (stat.isDirectory()) {
        lines.push(`d ${(stat.mode & 0o7777).toString(8)} ${rel}`);
        walk(full, `${rel}/`);
      } else if (stat.isSymbolicLink()) {
        lines.push(`l ${rel} -> ${fs.readlinkSync(full)}`);
      } else {
        const digest = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
        lines.push(`f ${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid} ${rel} ${digest}`);
      }
    }
  };
  walk(root, '');
  return lines;
}

/** Object files (`<id>.<kind>`) a repo holds in objects/ and in any pull staging directory. */
export function storedObjects(repo: string): Set<string> {
  const found = new Set<string>();
  const objects = path.join(repo, 'objects');
  for (const shard of fs.existsSync(objects) ? fs.readdirSync(objects) : []) {
    for (const name of fs.readdirSync(path.join(objects, shard))) found.add(`${shard}${name}`);
  }
  const tmp = path.join(repo, 'tmp');
  for (const dir of fs.existsSync(tmp) ? fs.readdirSync(tmp) : []) {
    if (!dir.startsWith('pull-')) continue;
    for (const name of fs.readdirSync(path.join(tmp, dir))) if (!name.includes('.tmp')) found.add(name);
  }
  return found;
}

/** `/objects/ab/cdef.filez` (a request path) as `abcdef.filez`. */
export function objectName(requestPath: string): string | undefined {
  const match = /\/objects\/([0-9a-f]{2})\/([0-9a-f]{62}\.[a-z]+)$/.exec(requestPath);
  return match ? `${match[1]}${match[2]}` : undefined;
}
