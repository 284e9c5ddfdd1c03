#!/usr/bin/env node
// Benchmark: unpacking a root-filesystem tarball with the tree source (@arbor/plugin-tree,
// node-tar in strict mode plus our path checks, owners and xattrs) against GNU tar
// `--xattrs --numeric-owner -xpf` of the same archive, as .tar and .tar.zst. The archive is
// ~10k files copied from this machine's /usr (cached in $TMPDIR/arbor-bench-tree-tar).
// Alternates the two so machine noise hits both; prints medians and the ratio. Asserts nothing.
//   node scripts/bench/tree-tar.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const cache = path.join(os.tmpdir(), 'arbor-bench-tree-tar');
const SOURCES = ['/usr/lib/python3', '/usr/share/perl', '/usr/share/zoneinfo', '/usr/share/vim', '/usr/lib/git-core'];
const MIN_FILES = 10000;

const require = createRequire(import.meta.url);
const { extractTarball } = require(path.join(root, 'plugins', 'tree', 'dist', 'index.js'));

function buildCache() {
  if (fs.existsSync(path.join(cache, 'done'))) return;
  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(cache, { recursive: true });
  const members = SOURCES.filter((dir) => fs.existsSync(dir)).map((dir) => dir.slice(1));
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=posix', '-C', '/', '-cf', path.join(cache, 'rootfs.tar'), ...members]);
  execFileSync('zstd', ['-q', '-3', path.join(cache, 'rootfs.tar'), '-o', path.join(cache, 'rootfs.tar.zst')]);
  fs.writeFileSync(path.join(cache, 'done'), '');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeOurs(archive) {
  const dest = fs.mkdtempSync(path.join(cache, 'ours-'));
  const start = process.hrtime.bigint();
  await extractTarball(archive, dest);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(dest, { recursive: true, force: true });
  return ms;
}

function timeGnu(archive) {
  const dest = fs.mkdtempSync(path.join(cache, 'gnu-'));
  const start = process.hrtime.bigint();
  const compress = archive.endsWith('.zst') ? ['--zstd'] : [];
  const result = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', ...compress, '-xpf', archive, '-C', dest]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`tar -x ${archive}: ${result.stderr}`);
  fs.rmSync(dest, { recursive: true, force: true });
  return ms;
}

buildCache();
const files = Number(execFileSync('sh', ['-c', `tar -tf ${path.join(cache, 'rootfs.tar')} | wc -l`], { encoding: 'utf8' }).trim());
if (files < MIN_FILES) console.log(`note: only ${files} entries (this machine's /usr has less of ${SOURCES.join(', ')})`);
const rows = [];
for (const name of ['rootfs.tar', 'rootfs.tar.zst']) {
  const archive = path.join(cache, name);
  const ours = [];
  const gnu = [];
  for (let run = 0; run < runs; run++) {
    ours.push(await timeOurs(archive));
    gnu.push(timeGnu(archive));
  }
  rows.push({ archive: name, size: `${(fs.statSync(archive).size / 2 ** 20).toFixed(1)} MiB`, entries: files, arbor: median(ours), gnu: median(gnu) });
}
console.log(`unpacking a tarball, median of ${runs} runs (arbor in process, GNU tar as a process)`);
console.log('| archive | size | entries | arbor ms | GNU tar ms | arbor/GNU |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.archive} | ${row.size} | ${row.entries} | ${row.arbor.toFixed(0)} | ${row.gnu.toFixed(0)} | ${(row.arbor / row.gnu).toFixed(2)} |`);
}
