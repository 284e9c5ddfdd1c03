import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A cache of expensive test fixtures (RPMs built by rpmbuild, ...) shared by every test file of
 * a run and by later runs, keyed by everything that goes into the fixture: a test that asks for
 * the same package again gets a copy of the real build's output instead of building it again.
 *
 *   cachedFile(key, make): string    the path of a cached file made by `make(target)`; copy it
 *                                     before changing it (the cache's copy is shared)
 *   fixtureKey(...parts): string      sha256 of the parts (strings, Buffers, JSON-able values)
 *   toolVersion(tool, ...args)        a tool's version output, memoized, for keys
 *
 * The cache is $ARBOR_TEST_FIXTURE_CACHE, else <tmpdir>/arbor-test-fixtures-<uid>. Entries are
 * made in a temp file and renamed in, so two runs (or parallel mocha workers) racing for the
 * same key each get a whole file; entries unused for two days are removed.
 */
export function fixtureCacheDir(): string {
  return process.env.ARBOR_TEST_FIXTURE_CACHE ?? path.join(os.tmpdir(), `arbor-test-fixtures-${process.getuid?.() ?? 'user'}`);
}

const MAX_AGE_MS = 2 * 24 * 3600 * 1000;
let pruned = false;

export function fixtureKey(...parts: unknown[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = Buffer.isBuffer(part) ? part : Buffer.from(typeof part === 'string' ? part : JSON.stringify(part) ?? 'undefined');
    hash.update(`${bytes.length}:`).update(bytes);
  }
  return hash.digest('hex');
}

const versions = new Map<string, string>();

export function toolVersion(tool: string, ...args: string[]): string {
  const id = [tool, ...args].join(' ');
  let version = versions.get(id);
  if (version === undefined) {
    version = execFileSync(tool, args.length ? args : ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    versions.set(id, version);
  }
  return version;
}

export function cachedFile(key: string, make: (target: string) => void): string {
  const dir = fixtureCacheDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!pruned) prune(dir);
  const entry = path.join(dir, key);
  if (fs.existsSync(entry)) {
    const now = new Date();
    fs.utimesSync(entry, now, now);
    return entry;
  }
  const work = fs.mkdtempSync(path.join(dir, '.make-'));
  try {
    const target = path.join(work, 'file');
    make(target);
    if (!fs.statSync(target).isFile()) throw new Error(`fixture ${key}: make() left no file`);
    fs.renameSync(target, entry);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return entry;
}

/** Removes entries unused for MAX_AGE_MS and temp files a killed run left, once per process. */
function prune(dir: string): void {
  pruned = true;
  const now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > MAX_AGE_MS) fs.rmSync(file, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}
