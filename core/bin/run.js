#!/usr/bin/env node
// The `arbor` CLI. oclif finds the commands in dist/cli/commands and in the plugins that core's
// oclif.plugins names, each through its oclif.manifest.json. Commands import oclif's parts
// (@oclif/core/execute, /command, /flags, /args) rather than its index, which loads ~15 ms more.
// oclif's Node version check loads semver on every start (~30 ms); npm already enforces our
// engines field, so it is skipped unless the user asks for it.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
ensureUserEnvironment();
require('./compileCache').enableCompileCache();
deferOclifGlobbing();
require('@oclif/core/execute').execute({ loadOptions: withInstalledPlugins(require('node:path').dirname(__dirname)) });

/**
 * oclif's options for the CLI in `core`: its package.json with only the command plugins
 * (oclif.plugins) that are installed. They are optional dependencies, so `npm install` of a
 * packed @arbor/core succeeds without them, and a missing one should bring no commands rather
 * than an oclif warning on every command.
 */
function withInstalledPlugins(core) {
  const pjson = JSON.parse(require('node:fs').readFileSync(`${core}/package.json`, 'utf8'));
  pjson.oclif.plugins = (pjson.oclif.plugins ?? []).filter((name) => {
    try {
      require.resolve(`${name}/package.json`, { paths: [core] });
      return true;
    } catch (error) {
      // A package whose exports map hides package.json is there all the same.
      return error.code !== 'MODULE_NOT_FOUND';
    }
  });
  return { root: core, pjson };
}

/**
 * oclif loads its command globber (tinyglobby, fdir, picomatch) and minimatch at start-up, ~4 ms
 * of every command, but globs only for a plugin without a manifest, and matches core's
 * oclif.plugins (plain package names) against its dependencies with minimatch. Each is put in the
 * require cache as a stand-in that loads the real module the first time anything is read from
 * it; minimatch's stand-in answers for a plain name itself, which is a glob that only matches
 * that name.
 */
function deferOclifGlobbing() {
  const Module = require('node:module');
  const path = require('node:path');
  const oclif = path.dirname(require.resolve('@oclif/core/package.json'));
  for (const request of ['tinyglobby', 'minimatch']) {
    const file = require.resolve(request, { paths: [oclif] });
    let real;
    const load = () => {
      if (!real) {
        delete require.cache[file];
        real = require(file);
      }
      return real;
    };
    const standIn = new Module(file, module);
    standIn.filename = file;
    standIn.loaded = true;
    const plainName = (pattern, options) => options === undefined && typeof pattern === 'string' && /^[\w@./-]+$/.test(pattern);
    const minimatch = (name, pattern, options) => plainName(pattern, options) ? name === pattern : load().minimatch(name, pattern, options);
    standIn.exports = new Proxy({}, {
      get: (_, key) => (request === 'minimatch' && key === 'minimatch' ? minimatch : load()[key]),
      has: (_, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => Object.getOwnPropertyDescriptor(load(), key),
    });
    require.cache[file] = standIn;
  }
}

/**
 * oclif asks os.homedir() for its config and cache directories, and os.userInfo() for the shell
 * when SHELL is unset. A system service (the staged deploy's finalize unit) runs without HOME or
 * SHELL, and a tree without a passwd entry for the user makes both lookups throw, so such a
 * process gets a HOME and a SHELL rather than a crash.
 */
function ensureUserEnvironment() {
  if (process.env.HOME && process.env.SHELL) return;
  try {
    require('node:os').userInfo();
  } catch {
    process.env.HOME ||= process.getuid?.() === 0 ? '/root' : '/';
    process.env.SHELL ||= '/bin/sh';
  }
}
