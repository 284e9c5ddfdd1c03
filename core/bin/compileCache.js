// Which compile cache the CLI's process gets. Node 22.1+ keeps one itself
// (module.enableCompileCache()); Node 20 has none, so node20CodeCache.js keeps a V8 code cache
// of the CLI's CommonJS modules instead. Both live under $XDG_CACHE_HOME/arbor/compile (Node's
// in a directory per Node version it names itself, ours in <V8 version>-<arch>).
// ARBOR_NO_COMPILE_CACHE=1 turns either off.
'use strict';
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');

/**
 * The cache for a process, decided from what it runs with: `{ kind: 'node' | 'node20' | 'none',
 * dir }`. Node's own cache wins wherever it exists. V8 coverage turns both off (Node's cache
 * makes coverage of cached functions imprecise, per its docs); debuggers and source maps turn
 * off only the Node 20 one, since they hook Node's own compile, which that one replaces.
 */
function chooseCompileCache({
  nodeModule = Module,
  env = process.env,
  execArgv = process.execArgv,
  homedir = os.homedir(),
} = {}) {
  if (env.ARBOR_NO_COMPILE_CACHE || env.NODE_V8_COVERAGE) return { kind: 'none' };
  const base = env.XDG_CACHE_HOME || (homedir ? path.join(homedir, '.cache') : undefined);
  if (!base) return { kind: 'none' };
  const dir = path.join(base, 'arbor', 'compile');
  if (typeof nodeModule.enableCompileCache === 'function') return { kind: 'node', dir };
  const nodeOptions = `${execArgv.join(' ')} ${env.NODE_OPTIONS ?? ''}`;
  if (/--inspect|--enable-source-maps/.test(nodeOptions)) return { kind: 'none' };
  return { kind: 'node20', dir };
}

/** Turns on the cache chooseCompileCache() picks for this process; returns its choice. */
function enableCompileCache() {
  const choice = chooseCompileCache();
  if (choice.kind === 'node') {
    // It reports a directory it cannot use in its result rather than throwing; either way, a
    // cache that cannot be kept only costs the next start.
    try {
      Module.enableCompileCache(choice.dir);
    } catch {}
  }
  else if (choice.kind === 'node20') require('./node20CodeCache').enableNode20CodeCache(choice.dir);
  return choice;
}

module.exports = { chooseCompileCache, enableCompileCache };
