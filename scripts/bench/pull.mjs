#!/usr/bin/env node
// Benchmark: `arbor pull` against `ostree pull` on the same tree, both served by the same nginx
// on loopback. Builds once (cached in $TMPDIR/arbor-bench-pull) a tree of ~23k files copied
// from this machine's /usr, a v2 of it with ~1% of the files changed, and an archive repo of
// each tool holding both (Arbor's signed, with a signed summary; ostree's with a summary).
// Then, alternating the tools so machine noise hits both, times whole processes:
//   initial      a fresh bare repo pulls v1
//   incremental  the same repo then pulls v2
// and reads the bytes each pull transferred from nginx's access log. Prints medians, the
// Arbor/ostree time ratio, and for the incremental pull the bound it should stay under: the
// archive size of the objects v2 adds plus the summary and size index. It asserts nothing.
//   node scripts/bench/pull.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arborBin = path.join(root, 'core', 'bin', 'run.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const cache = path.join(os.tmpdir(), 'arbor-bench-pull');
const serveRoot = path.join(cache, 'serve');
const key = path.join(cache, 'signing.key');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-pull-'));

// The same kind of tree as scripts/bench/store.mjs: libraries, Python, docs, locales, small files.
const SOURCES = [
  '/usr/lib/x86_64-linux-gnu', '/usr/lib/python3.11', '/usr/lib/python3', '/usr/lib/git-core', '/usr/lib/postgresql',
  '/usr/share/doc', '/usr/share/locale', '/usr/share/perl', '/usr/share/vim', '/usr/share/zoneinfo', '/usr/share/i18n',
  '/usr/share/mime', '/usr/share/cmake-3.25', '/usr/share/man',
];
const MIN_FILES = 22000;
/** One regular file in this many changes between v1 and v2. */
const CHANGE_EVERY = 100;

for (const tool of ['nginx', 'ostree']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    console.log(`skipped: needs ${tool} on PATH`);
    process.exit(0);
  }
}

const require = createRequire(import.meta.url);
const { NginxServer } = require(path.join(root, 'test', 'dist', 'support', 'NginxServer.js'));

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG: '' }, maxBuffer: 256 << 20, ...options });
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
  return String(result.stdout);
}

const arbor = (...commandArgs) => run(process.execPath, [arborBin, ...commandArgs], { cwd: work });
const ostree = (...commandArgs) => run('ostree', commandArgs);

function buildCache() {
  if (fs.existsSync(path.join(cache, 'done'))) return;
  fs.rmSync(cache, { recursive: true, force: true });
  const v1 = path.join(cache, 'tree-v1');
  const v2 = path.join(cache, 'tree-v2');
  fs.mkdirSync(v1, { recursive: true });
  let files = 0;
  for (const source of SOURCES) {
    if (files >= MIN_FILES) break;
    if (!fs.existsSync(source)) continue;
    const dest = path.join(v1, source);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // Regular files, symlinks and directories only: both tools refuse special files.
    execFileSync('sh', ['-c', 'cd "$1" && find . -xdev \\( -type f -o -type l -o -type d \\) -print0 | cpio -0 -pdm --quiet "$2"', 'sh', source, dest]);
    files = Number(execFileSync('sh', ['-c', `find "${v1}" -type f -o -type l | wc -l`]).toString().trim());
  }
  execFileSync('cp', ['-a', v1, v2]);
  const regular = execFileSync('sh', ['-c', `cd "${v2}" && find . -type f | LC_ALL=C sort`], { maxBuffer: 256 << 20 }).toString().trim().split('\n');
  for (let index = 0; index < regular.length; index += CHANGE_EVERY) fs.appendFileSync(path.join(v2, regular[index]), '\narbor bench v2\n');

  const arborRepo = path.join(serveRoot, 'arbor');
  const ostreeRepo = path.join(serveRoot, 'ostree');
  arbor('key', 'generate', '--out', key);
  arbor('init', '--repo', arborRepo, '--mode', 'archive');
  ostree('init', `--repo=${ostreeRepo}`, '--mode=archive');
  for (const [branch, tree] of [['bench/v1', v1], ['bench/v2', v2]]) {
    console.log(`building the served repos: committing ${branch}...`);
    arbor('commit', '--repo', arborRepo, '--branch', branch, '--tree', tree, '--subject', branch, '--sign-key', key);
    ostree('commit', `--repo=${ostreeRepo}`, `--branch=${branch}`, `--tree=dir=${tree}`, `--subject=${branch}`);
  }
  arbor('summary', '--repo', arborRepo, '--sign-key', key);
  ostree('summary', `--repo=${ostreeRepo}`, '-u');
  fs.writeFileSync(path.join(cache, 'done'), `${regular.length} regular files, ${Math.ceil(regular.length / CHANGE_EVERY)} changed\n`);
}

/** Bytes nginx sent for the log lines after `from`. */
function bytesSent(server, from) {
  const lines = fs.readFileSync(path.join(server.prefix, 'access.log'), 'utf8').trim().split('\n').slice(from);
  let bytes = 0;
  for (const line of lines) bytes += Number(/" \d{3} (\d+) "/.exec(line)?.[1] ?? 0);
  return { bytes, requests: lines.length, end: from + lines.length };
}

function logLength(server) {
  const file = path.join(server.prefix, 'access.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0;
}

function timed(fn) {
  const started = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/**
 * The archive bytes of what v2 adds over v1 in Arbor's served repo, from the two size indexes,
 * plus what a pull reads before the tree: summary, its signature, the size index, the commit
 * and its signature. An incremental pull should transfer no more than this.
 */
function incrementalBound() {
  const { SizeIndex, sizeIndexPath } = require(path.join(root, 'core', 'dist', 'remote', 'SizeIndex.js'));
  const repo = path.join(serveRoot, 'arbor');
  const refs = JSON.parse(arbor('refs', '--repo', repo, '--json'));
  const read = (commit) => new SizeIndex(fs.readFileSync(path.join(repo, sizeIndexPath(commit))), commit);
  const v1 = read(refs['bench/v1']);
  const v2commit = refs['bench/v2'];
  let bytes = 0;
  for (const entry of read(v2commit).entries()) {
    if (entry.kind !== 'commit' && v1.get(entry.id, entry.kind) === undefined) bytes += entry.size;
  }
  for (const relative of [
    `objects/${v2commit.slice(0, 2)}/${v2commit.slice(2)}.commit`, `objects/${v2commit.slice(0, 2)}/${v2commit.slice(2)}.commitsig`,
    'summary', 'summary.sig', sizeIndexPath(v2commit),
  ]) bytes += fs.statSync(path.join(repo, relative)).size;
  return bytes;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

buildCache();
// Cheap when nothing changed; rewrites size indexes made by an older Arbor.
arbor('summary', '--repo', path.join(serveRoot, 'arbor'), '--sign-key', key);
console.log(`tree: ${fs.readFileSync(path.join(cache, 'done'), 'utf8').trim()}`);
const server = new NginxServer(serveRoot, { workers: 2 });
const url = await server.start();
const results = { arbor: { initial: [], incremental: [], initialBytes: [], incrementalBytes: [] }, ostree: { initial: [], incremental: [], initialBytes: [], incrementalBytes: [] } };
const sides = {
  arbor(client) {
    arbor('init', '--repo', client, '--mode', 'bare');
    arbor('remote', 'add', 'origin', `${url}arbor`, '--repo', client, '--verify-key', `${key}.pub`);
    return [
      () => arbor('pull', '--repo', client, 'origin', 'bench/v1'),
      () => arbor('pull', '--repo', client, 'origin', 'bench/v2'),
    ];
  },
  ostree(client) {
    ostree('init', `--repo=${client}`, '--mode=bare');
    ostree('remote', 'add', `--repo=${client}`, '--no-gpg-verify', 'origin', `${url}ostree`);
    return [
      () => ostree('pull', `--repo=${client}`, 'origin', 'bench/v1'),
      () => ostree('pull', `--repo=${client}`, 'origin', 'bench/v2'),
    ];
  },
};
try {
  for (let index = 0; index < runs; index++) {
    const order = index % 2 === 0 ? ['arbor', 'ostree'] : ['ostree', 'arbor'];
    for (const tool of order) {
      const client = path.join(work, `${tool}-${index}`);
      const [initial, incremental] = sides[tool](client);
      let mark = logLength(server);
      results[tool].initial.push(timed(initial));
      let sent = bytesSent(server, mark);
      results[tool].initialBytes.push(sent.bytes);
      mark = sent.end;
      results[tool].incremental.push(timed(incremental));
      sent = bytesSent(server, mark);
      results[tool].incrementalBytes.push(sent.bytes);
      fs.rmSync(client, { recursive: true, force: true });
    }
    console.log(`run ${index + 1}/${runs}: arbor ${results.arbor.initial.at(-1).toFixed(2)} s + ${results.arbor.incremental.at(-1).toFixed(2)} s, ` +
      `ostree ${results.ostree.initial.at(-1).toFixed(2)} s + ${results.ostree.incremental.at(-1).toFixed(2)} s`);
  }
  const bound = incrementalBound();
  const row = (name, key, bytesKey) => {
    const a = median(results.arbor[key]);
    const o = median(results.ostree[key]);
    console.log(`${name.padEnd(12)} arbor ${a.toFixed(2).padStart(7)} s  ostree ${o.toFixed(2).padStart(7)} s  ratio ${(a / o).toFixed(2)}   ` +
      `bytes: arbor ${mib(median(results.arbor[bytesKey]))}, ostree ${mib(median(results.ostree[bytesKey]))}`);
  };
  console.log(`\nmedians of ${runs} runs (nginx on loopback, client repos bare, Arbor verifying signatures):`);
  row('initial', 'initial', 'initialBytes');
  row('incremental', 'incremental', 'incrementalBytes');
  const incremental = median(results.arbor.incrementalBytes);
  console.log(`incremental bound (archive size of objects v2 adds + summary, signatures, size index): ${mib(bound)}; ` +
    `arbor transferred ${mib(incremental)} (${incremental <= bound ? 'within' : 'OVER'} the bound)`);
} finally {
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
