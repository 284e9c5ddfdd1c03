import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

/** The CLI's code cache (core/bin/node20CodeCache.js on Node 20), under a cache home of the test's own. */
describe('the CLI compile cache', () => {
  const tmp = useTempDir('arbor-compile-cache-');
  const run = (cacheHome: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    runArbor(args, { env: { ...process.env, DEBUG: '', ARBOR_NO_COMPILE_CACHE: '', XDG_CACHE_HOME: cacheHome, ...extra } });
  const entriesIn = (cacheHome: string): string[] => {
    const root = path.join(cacheHome, 'arbor', 'compile');
    if (!fs.existsSync(root)) return [];
    return fs.readdirSync(root).flatMap((version) => fs.readdirSync(path.join(root, version)).map((name) => path.join(root, version, name)));
  };

  it('is written by the first command and used, unchanged, by the next', () => {
    const home = tmp();
    const first = run(home, ['init', '--repo', path.join(home, 'repo'), '--mode', 'bare', '--json']);
    assert.equal(first.status, 0, first.stderr);
    const entries = entriesIn(home);
    assert.ok(entries.length > 50, `${entries.length} entries`);
    assert.ok(entries.every((entry) => entry.endsWith('.bin')), 'no temp files left');
    const written = new Map(entries.map((entry) => [entry, fs.statSync(entry).mtimeMs]));
    const second = run(home, ['refs', '--repo', path.join(home, 'repo'), '--json']);
    assert.equal(second.status, 0, second.stderr);
    for (const [entry, mtime] of written) assert.equal(fs.statSync(entry).mtimeMs, mtime, `${entry} was rewritten`);
  });

  it('replaces a damaged entry, cut short or with a flipped byte, and runs as if it were not there', () => {
    const home = tmp();
    assert.equal(run(home, ['--version']).status, 0);
    const entries = entriesIn(home);
    const damaged = new Map<string, Buffer>();
    entries.forEach((entry, n) => {
      const bytes = fs.readFileSync(entry);
      // V8 checks neither of these itself: the cache's own CRC must catch them.
      if (n % 2 === 0) bytes[bytes.length - 1 - (n % 97)] ^= 0x5a;
      const broken = n % 2 === 0 ? bytes : bytes.subarray(0, bytes.length - 16);
      fs.writeFileSync(entry, broken);
      damaged.set(entry, broken);
    });
    const again = run(home, ['--version']);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /@arbor\/core\/\d/);
    for (const [entry, broken] of damaged) assert.ok(!fs.readFileSync(entry).equals(broken), `${entry} was not replaced`);
  });

  it('is not used or written when turned off, or where it cannot be written', () => {
    const off = tmp();
    assert.equal(run(off, ['--version'], { ARBOR_NO_COMPILE_CACHE: '1' }).status, 0);
    assert.deepEqual(entriesIn(off), []);
    const readOnly = path.join(tmp(), 'file-not-dir');
    fs.writeFileSync(readOnly, '');
    const result = run(readOnly, ['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /@arbor\/core\/\d/);
  });
});

interface CompileCacheChoice {
  kind: 'node' | 'node20' | 'none';
  dir?: string;
}

/** core/bin/compileCache.js picks Node's own cache where it exists (22.1+), ours on Node 20. */
describe('choosing the compile cache', () => {
  // The CLI's launcher is plain CommonJS beside run.js, not part of a package's exports.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { chooseCompileCache } = require(path.join(REPO_ROOT, 'core', 'bin', 'compileCache.js')) as {
    chooseCompileCache(options: { nodeModule?: object; env?: NodeJS.ProcessEnv; execArgv?: string[]; homedir?: string }): CompileCacheChoice;
  };
  const node22 = { enableCompileCache: () => undefined };
  const node20 = {};
  const home = '/home/someone';

  it('uses Node\'s own cache where node:module has enableCompileCache, under the same directory', () => {
    assert.deepEqual(chooseCompileCache({ nodeModule: node22, env: {}, execArgv: [], homedir: home }), { kind: 'node', dir: '/home/someone/.cache/arbor/compile' });
    assert.deepEqual(chooseCompileCache({ nodeModule: node22, env: { XDG_CACHE_HOME: '/var/cache/me' }, execArgv: [], homedir: home }), { kind: 'node', dir: '/var/cache/me/arbor/compile' });
  });

  it('uses the hand-made cache only where Node has none', () => {
    assert.deepEqual(chooseCompileCache({ nodeModule: node20, env: {}, execArgv: [], homedir: home }), { kind: 'node20', dir: '/home/someone/.cache/arbor/compile' });
  });

  it('keeps Node\'s own cache under debuggers and source maps, which only the hand-made one stands aside for', () => {
    for (const execArgv of [['--inspect'], ['--enable-source-maps']]) {
      assert.equal(chooseCompileCache({ nodeModule: node22, env: {}, execArgv, homedir: home }).kind, 'node');
      assert.equal(chooseCompileCache({ nodeModule: node20, env: {}, execArgv, homedir: home }).kind, 'none');
    }
    assert.equal(chooseCompileCache({ nodeModule: node20, env: { NODE_OPTIONS: '--enable-source-maps' }, execArgv: [], homedir: home }).kind, 'none');
  });

  it('turns either off for ARBOR_NO_COMPILE_CACHE, V8 coverage, or no home to keep it in', () => {
    for (const nodeModule of [node22, node20]) {
      assert.equal(chooseCompileCache({ nodeModule, env: { ARBOR_NO_COMPILE_CACHE: '1' }, execArgv: [], homedir: home }).kind, 'none');
      assert.equal(chooseCompileCache({ nodeModule, env: { NODE_V8_COVERAGE: '/tmp/coverage' }, execArgv: [], homedir: home }).kind, 'none');
      assert.equal(chooseCompileCache({ nodeModule, env: {}, execArgv: [], homedir: '' }).kind, 'none');
    }
  });

  it('picks the hand-made cache for this Node 20 process, and Node\'s on 22.1+', () => {
    const expected = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function' ? 'node' : 'node20';
    assert.equal(chooseCompileCache({ env: { XDG_CACHE_HOME: '/tmp/x' }, execArgv: [] }).kind, expected);
  });
});
