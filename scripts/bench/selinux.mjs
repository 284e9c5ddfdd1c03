#!/usr/bin/env node
// Benchmark: labeling a whole tree with Arbor's selinux plugin against policycoreutils'
// `setfiles -n -v FILE_CONTEXTS TREE` on the same tree and policy (the Debian refpolicy fixture).
//
// Both sides do the same work for the same N paths, as fresh processes:
//   setfiles: load and compile file_contexts (+ .homedirs, .subs_dist), walk the tree (fts),
//             lstat each entry, look up its label (libselinux), remember its inode (a later
//             hardlink is skipped), read its current label (lgetxattr), print "Would relabel P
//             from OLD to NEW" where they differ (-n: no writes);
//   arbor:    Node start-up, load the plugin, load and compile the same files (PCRE2 translated
//             to JS), walk the tree (readdir + lstat), look up each label, the same inode table,
//             read the current label (lgetxattr), print the same lines.
// Their outputs are compared once before timing: the benchmark refuses to time two programs that
// disagree. Then it alternates them (so machine noise hits both) and prints medians of wall and
// CPU time (user + sys, from /usr/bin/time; the CPU time is the fairer figure on a shared
// machine) and the arbor/setfiles ratio (under 1: arbor is faster). It asserts nothing.
//
// A second row times Arbor's real labeling path, the one commits take: `arbor commit
// --file-contexts` (the selinux plugin through the label hook, inside the commit's worker
// pipeline) minus a plain `arbor commit` of the same tree with the same config, each into a fresh
// bare repo. The tree is a copy of TREE's shape under a scratch root (same directories and
// symlinks, empty files: labels depend on path and type only, and hashing empty files keeps the
// plain commit small), so the commit sees the same runtime paths as setfiles does.
//   node scripts/bench/selinux.mjs [--tree DIR] [--runs N] [--file-contexts FILE] [--no-commit]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..', '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const plugin = path.join(root, 'plugins', 'selinux', 'dist', 'index.js');

if (args[0] === '--label') labelTree(args[1], args[2]);
else compare();

/** The arbor side, in its own process: walk TREE and print what setfiles -n -v would print. */
function labelTree(tree, fileContexts) {
  const started = process.hrtime.bigint();
  const require = createRequire(import.meta.url);
  const { loadFileContexts } = require(plugin);
  const { readXattrs } = require(path.join(root, 'core', 'dist', 'index.js'));
  const policy = loadFileContexts(fileContexts);
  const loaded = process.hrtime.bigint();
  const out = [];
  let paths = 0;
  // Paths are latin1 byte strings, as libselinux sees bytes; fs gets a Buffer where they are not ASCII.
  const osPath = (file) => (/[^\x00-\x7f]/.test(file) ? Buffer.from(file, 'latin1') : file);
  // setfiles labels an inode once: a later hardlink of an inode it has seen is skipped
  // (selinux_restorecon.c filespec_add), so the arbor side keeps the same inode table.
  const seen = new Set();
  const visit = (file, stat) => {
    paths++;
    const label = policy.lookup(file, stat.mode & 0o170000);
    if (label === null) return;
    if (seen.has(stat.ino)) return;
    seen.add(stat.ino);
    const current = readXattrs(osPath(file))['security.selinux'];
    const old = current ? current.toString('latin1').replace(/\0$/, '') : '(null)';
    if (old !== label) out.push(`Would relabel ${file} from ${old} to ${label}\n`);
  };
  const walk = (dir) => {
    // Directory order, as fts gives it to setfiles (readdirSync would sort the names).
    const handle = fs.opendirSync(osPath(dir), { encoding: 'latin1', bufferSize: 256 });
    for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
      const file = `${dir}/${entry.name}`;
      const stat = fs.lstatSync(osPath(file));
      visit(file, stat);
      if (stat.isDirectory()) walk(file);
    }
    handle.closeSync();
  };
  visit(tree, fs.lstatSync(tree));
  walk(tree);
  fs.writeSync(1, Buffer.from(out.join(''), 'latin1'));
  const done = process.hrtime.bigint();
  process.stderr.write(JSON.stringify({ paths, loadMs: Number(loaded - started) / 1e6, labelMs: Number(done - loaded) / 1e6 }));
}

function compare() {
  const tree = path.resolve(option('--tree') ?? '/usr');
  const runs = Number(option('--runs')) || 3;
  const fileContexts = path.resolve(option('--file-contexts') ?? path.join(root, 'test/fixtures/selinux/debian12-refpolicy-default/file_contexts'));
  for (const tool of ['setfiles', '/usr/bin/time']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
      console.log(`skipped: needs ${tool} (Debian policycoreutils, time)`);
      process.exit(0);
    }
  }
  if (!fs.existsSync(plugin)) {
    console.log('skipped: build first (npx tsc -b)');
    process.exit(0);
  }
  const setfiles = ['setfiles', '-n', '-v', fileContexts, tree];
  const arbor = [process.execPath, self, '--label', tree, fileContexts];

  // Same answers first: every "Would relabel" line of one is a line of the other.
  const relabels = (command) => execFileSync(command[0], command.slice(1), { encoding: 'latin1', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((line) => line.startsWith('Would relabel ')).sort();
  const [theirs, ours] = [relabels(setfiles), relabels(arbor)];
  const differing = theirs.filter((line, index) => ours[index] !== line);
  if (theirs.length !== ours.length || differing.length > 0) {
    console.log(`arbor and setfiles disagree: ${ours.length} vs ${theirs.length} relabels; first difference:\n  setfiles: ${differing[0]}\n  arbor:    ${ours[theirs.indexOf(differing[0])]}`);
    process.exit(1);
  }

  const timeFile = path.join(os.tmpdir(), `arbor-bench-selinux-${process.pid}.time`);
  const timed = (command) => {
    const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S', '-o', timeFile, ...command], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    const [wall, user, sys] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    const inner = command === arbor ? JSON.parse(result.stderr) : undefined;
    return { wall, cpu: user + sys, inner, status: result.status, stderr: result.stderr };
  };
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const samples = { setfiles: [], arbor: [] };
  for (let run = 0; run < runs; run++) {
    samples.setfiles.push(timed(setfiles));
    samples.arbor.push(timed(arbor));
  }
  fs.rmSync(timeFile, { force: true });
  const paths = samples.arbor[0].inner.paths;
  console.log(`labeling ${tree}: ${paths} paths, ${theirs.length} relabels, identical on both sides; median of ${runs} alternating runs`);
  console.log(`policy: ${path.relative(root, fileContexts)}`);
  const s = { wall: median(samples.setfiles.map((x) => x.wall)), cpu: median(samples.setfiles.map((x) => x.cpu)) };
  const a = { wall: median(samples.arbor.map((x) => x.wall)), cpu: median(samples.arbor.map((x) => x.cpu)) };
  const rows = [
    ['', 'wall s', 'cpu s', 'us/path (cpu)'],
    ['setfiles -n -v', s.wall.toFixed(2), s.cpu.toFixed(2), ((s.cpu / paths) * 1e6).toFixed(1)],
    ['arbor (new process)', a.wall.toFixed(2), a.cpu.toFixed(2), ((a.cpu / paths) * 1e6).toFixed(1)],
    ['ratio arbor/setfiles', (a.wall / s.wall).toFixed(2), (a.cpu / s.cpu).toFixed(2), ''],
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  const load = median(samples.arbor.map((x) => x.inner.loadMs));
  const label = median(samples.arbor.map((x) => x.inner.labelMs));
  console.log(`(arbor inside its process, wall: loading the plugin and compiling the policy ${load.toFixed(0)} ms; walking and labeling ${label.toFixed(0)} ms)`);
  if (!args.includes('--no-commit')) compareCommit(tree, fileContexts, runs, s, timed, median);
}

/** The commit row: `arbor commit --file-contexts` minus a plain commit, on a shape copy of the tree. */
function compareCommit(tree, fileContexts, runs, setfiles, timed, median) {
  const shapeRoot = path.join(os.tmpdir(), 'arbor-bench-selinux-shape', tree.replace(/\//g, '_'));
  copyShape(tree, shapeRoot);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-selinux-'));
  const bin = path.join(root, 'core', 'bin', 'run.js');
  const config = path.join(work, 'arbor.config.json');
  fs.writeFileSync(config, JSON.stringify({ plugins: ['selinux'] }));
  const repo = path.join(work, 'repo');
  const commit = (label) => {
    fs.rmSync(repo, { recursive: true, force: true });
    execFileSync(process.execPath, [bin, 'init', '--repo', repo, '--mode', 'bare', '--config', config], { stdio: 'ignore' });
    execFileSync('sync');
    const extra = label ? ['--file-contexts', fileContexts] : [];
    const sample = timed([process.execPath, bin, 'commit', '--repo', repo, '--branch', 'bench', '--tree', shapeRoot, '--config', config, ...extra]);
    if (sample.status !== 0) throw new Error(`arbor commit of ${shapeRoot} failed:\n${sample.stderr}`);
    return sample;
  };
  try {
    const plain = [];
    const labeled = [];
    for (let run = 0; run < runs; run++) {
      plain.push(commit(false));
      labeled.push(commit(true));
    }
    const paths = Number(execFileSync('sh', ['-c', `find "${shapeRoot}" | wc -l`]).toString().trim());
    const p = { wall: median(plain.map((x) => x.wall)), cpu: median(plain.map((x) => x.cpu)) };
    const l = { wall: median(labeled.map((x) => x.wall)), cpu: median(labeled.map((x) => x.cpu)) };
    const d = { wall: l.wall - p.wall, cpu: l.cpu - p.cpu };
    console.log(`\ncommitting ${paths} paths of the same shape (empty files) into a fresh bare repo; median of ${runs} alternating runs`);
    const rows = [
      ['', 'wall s', 'cpu s', 'us/path (cpu)'],
      ['arbor commit (selinux loaded)', p.wall.toFixed(2), p.cpu.toFixed(2), ''],
      ['arbor commit --file-contexts', l.wall.toFixed(2), l.cpu.toFixed(2), ''],
      ['labeling in the commit (difference)', d.wall.toFixed(2), d.cpu.toFixed(2), ((d.cpu / paths) * 1e6).toFixed(1)],
      ['ratio labeling/setfiles', (d.wall / setfiles.wall).toFixed(2), (d.cpu / setfiles.cpu).toFixed(2), ''],
    ];
    const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
    for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Copies a tree's shape to `shapeRoot` + the tree's own path (so /usr/bin/x is at
 * SHAPE/usr/bin/x and is committed as /usr/bin/x): directories, symlinks, and every other
 * entry as an empty file. Made once and kept (a `done` marker).
 */
function copyShape(tree, shapeRoot) {
  const done = path.join(shapeRoot, '..', `${path.basename(shapeRoot)}.done`);
  if (fs.existsSync(done)) return;
  fs.rmSync(shapeRoot, { recursive: true, force: true });
  const osPath = (file) => (/[^\x00-\x7f]/.test(file) ? Buffer.from(file, 'latin1') : file);
  const walk = (dir) => {
    const dest = path.join(shapeRoot, dir);
    fs.mkdirSync(osPath(dest), { recursive: true });
    for (const entry of fs.readdirSync(osPath(dir), { withFileTypes: true, encoding: 'latin1' })) {
      const from = `${dir}/${entry.name}`;
      const to = `${dest}/${entry.name}`;
      if (entry.isDirectory()) walk(from);
      else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(osPath(from), { encoding: 'buffer' }), osPath(to));
      else fs.writeFileSync(osPath(to), '');
    }
  };
  walk(tree);
  fs.writeFileSync(done, '');
}
