#!/usr/bin/env node
// Makes a fresh clone usable: installs dependencies when node_modules is missing or older than
// the lockfile, then builds every TypeScript project (incremental, so a no-op when up to date).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installed = path.join(root, 'node_modules', '.package-lock.json');
const lockfile = path.join(root, 'package-lock.json');

function run(command, args) {
  execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
}

const stale = !fs.existsSync(installed) || fs.statSync(installed).mtimeMs < fs.statSync(lockfile).mtimeMs;
if (stale) {
  console.error('arbor: installing dependencies (npm ci)...');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}
// The native addon is built by npm install; rebuild it when its sources changed since.
const addon = path.join(root, 'core', 'build', 'Release', 'arbor_native.node');
const nativeSources = [path.join(root, 'core', 'binding.gyp'), ...fs.readdirSync(path.join(root, 'core', 'native')).map((name) => path.join(root, 'core', 'native', name))];
if (!fs.existsSync(addon) || nativeSources.some((source) => fs.statSync(source).mtimeMs > fs.statSync(addon).mtimeMs)) {
  console.error('arbor: building the native addon (node-gyp)...');
  run('npm', ['run', 'install', '--workspace', 'core', '--loglevel=error']);
}
// The plugins core itself depends on (for their commands) are built on their own first: in one
// `tsc -b` pass, a lookup of their package exports made before their dist/ exists stays cached
// as missing, and every later project that imports them fails.
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
run(process.execPath, [tsc, '-b', 'plugins/ed25519', 'plugins/rpm']);
run(process.execPath, [tsc, '-b']);
// The CLI reads every command's flags from this manifest instead of loading each command.
run(process.execPath, [path.join(root, 'scripts', 'oclif-manifest.mjs')]);
