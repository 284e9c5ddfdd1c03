// Node 20's compile cache, made by hand: Node 22.1+ has module.enableCompileCache(), which
// compileCache.js prefers; this file is only loaded where Node lacks it. Without a cache every
// `arbor` command parses and compiles ~250 modules (oclif, the core, the plugins) from source:
// ~25 ms of an incremental pull's ~300.
//
// Each module's compiled code is kept in DIR/<V8 version>-<arch>/, written at exit by the
// command that first compiled it, with the functions that command ran. An entry is used only
// while the module file keeps the size and mtime it was made from and its data its CRC-32 (V8
// in Node 20 checks a code cache's version and flags, not its bytes); otherwise the module
// compiles as usual and the entry is rewritten.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { crc32 } = require('node:zlib');

const MAGIC = 'arbor-compile-2\n';

/** Compiles CommonJS modules through a V8 code cache kept under `cacheDir`. */
function enableNode20CodeCache(cacheDir) {
  const dir = path.join(cacheDir, `${process.versions.v8}-${process.arch}`);
  /** Scripts compiled this run without a usable entry, to save at exit. */
  const fresh = [];
  const compile = Module.prototype._compile;

  Module.prototype._compile = function (content, filename) {
    // A module that imports dynamically needs Node's own compile: code from a cache has no
    // host hook for import() on Node 20.
    if (content.includes('import(')) return compile.call(this, content, filename);
    let stat;
    try {
      stat = fs.statSync(filename);
    } catch {
      return compile.call(this, content, filename);
    }
    const stamp = `${filename}\n${stat.size}\n${stat.mtimeMs}\n`;
    const entry = path.join(dir, `${hashName(filename)}.bin`);
    const cachedData = readEntry(entry, stamp);
    // The shebang becomes a comment, keeping line numbers, as Node strips it.
    const source = content.startsWith('#!') ? `//${content}` : content;
    let script;
    try {
      script = new vm.Script(Module.wrap(source), { filename, cachedData });
    } catch {
      // Not a CommonJS script (an ES module Node detects by its syntax), or broken: Node's own
      // compile handles both, and reports the error as usual.
      return compile.call(this, content, filename);
    }
    if (!cachedData || script.cachedDataRejected) fresh.push({ entry, stamp, script });
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, makeRequire(this), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const { entry, stamp, script } of fresh) {
        const temp = `${entry}.${process.pid}.tmp`;
        const data = script.createCachedData();
        fs.writeFileSync(temp, Buffer.concat([Buffer.from(`${MAGIC}${stamp}${crc32(data)}\n`), data]));
        fs.renameSync(temp, entry);
      }
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs the next start.
    }
  });
}

/** The V8 data of an intact entry made from exactly this file, or undefined. */
function readEntry(entry, stamp) {
  let bytes;
  try {
    bytes = fs.readFileSync(entry);
  } catch {
    return undefined;
  }
  const header = MAGIC + stamp;
  const length = Buffer.byteLength(header);
  if (bytes.length <= length || bytes.toString('utf8', 0, length) !== header) return undefined;
  const newline = bytes.indexOf(10, length);
  if (newline < 0) return undefined;
  const data = bytes.subarray(newline + 1);
  return data.length > 0 && String(crc32(data)) === bytes.toString('latin1', length, newline) ? data : undefined;
}

/** The `require` Node gives a module, built from the public Module API. */
function makeRequire(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** FNV-1a of the path, as a file name; the entry's header holds the path itself. */
function hashName(text) {
  let hash = 0x811c9dc5;
  let high = 0x01000193;
  for (let index = 0; index < text.length; index++) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
    high = Math.imul(high ^ text.charCodeAt(index), 0x85ebca6b) >>> 0;
  }
  return hash.toString(16).padStart(8, '0') + high.toString(16).padStart(8, '0');
}

module.exports = { enableNode20CodeCache };
