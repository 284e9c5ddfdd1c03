#!/usr/bin/env node
// Benchmark: the content-addressed store against real ostree on the same tree, side by side.
// Builds (once, cached in $TMPDIR/arbor-bench-tree) a tree of ~25k files and ~1.2 GB copied
// from this machine's /usr/lib and /usr/share, then times whole processes, alternating Arbor
// and ostree so machine noise hits both, and prints medians and the Arbor/ostree ratio for:
// cold commit into a bare and an archive repo, a commit with nothing changed, a hardlink
// checkout, and fsck. A benchmark, not a test: it asserts nothing.
//   node scripts/bench/store.mjs [--runs N] [--only commit-bare,commit-archive,commit-warm,checkout,fsck]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arborBin = path.join(root, 'core', 'bin', 'run.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const only = args.includes('--only') ? args[args.indexOf('--only') + 1].split(',') : undefined;
const cache = path.join(os.tmpdir(), 'arbor-bench-tree');
const tree = path.join(cache, 'tree');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-'));

// Sources, in order, until the tree is big enough: shared libraries, Python, docs, locales,
// man-like text and many small files, as an OS image has.
const SOURCES = [
  '/usr/lib/x86_64-linux-gnu', '/usr/lib/python3.11', '/usr/lib/python3', '/usr/lib/git-core', '/usr/lib/postgresql',
  '/usr/share/doc', '/usr/share/locale', '/usr/share/perl', '/usr/share/vim', '/usr/share/zoneinfo', '/usr/share/i18n',
  '/usr/share/mime', '/usr/share/cmake-3.25', '/usr/share/man',
];
const MIN_FILES = 22000;

function have(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

function buildTree() {
  if (fs.existsSync(path.join(cache, 'done'))) return;
  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(tree, { recursive: true });
  let files = 0;
  for (const source of SOURCES) {
    if (files >= MIN_FILES) break;
    if (!fs.existsSync(source)) continue;
    const dest = path.join(tree, source);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // -a keeps owners, modes, links and xattrs; special files are skipped (a commit refuses them).
    execFileSync('sh', ['-c', 'cd "$1" && find . -xdev \\( -type f -o -type l -o -type d \\) -print0 | cpio -0 -pdm --quiet "$2"', 'sh', source, dest]);
    files = Number(execFileSync('sh', ['-c', `find "${tree}" -type f -o -type l | wc -l`]).toString().trim());
  }
  fs.writeFileSync(path.join(cache, 'done'), '');
}

function describe() {
  const count = (type) => Number(execFileSync('sh', ['-c', `find "${tree}" -type ${type} | wc -l`]).toString().trim());
  const bytes = Number(execFileSync('du', ['-sb', tree]).toString().split('\t')[0]);
  return `${count('f')} files, ${count('d')} directories, ${count('l')} symlinks, ${(bytes / 1e9).toFixed(2)} GB`;
}

/** Runs a command and returns its wall time in seconds; a failure aborts the benchmark. */
function timed(command, commandArgs) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBUG: '' } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} failed:\n${result.stderr}`);
  return seconds;
}

function untimed(command, commandArgs) {
  execFileSync(command, commandArgs, { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
}

const arbor = (...commandArgs) => ['node', [arborBin, ...commandArgs]];
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One operation: setup (untimed) then the timed command, alternating Arbor and ostree. */
function measure(key, name, sides) {
  if (only && !only.includes(key)) return;
  const times = { arbor: [], ostree: [] };
  for (let run = 0; run < runs; run++) {
    for (const side of run % 2 === 0 ? ['arbor', 'ostree'] : ['ostree', 'arbor']) {
      const { setup, command } = sides[side];
      setup?.();
      untimed('sync', []);
      times[side].push(timed(...command()));
    }
  }
  const a = median(times.arbor);
  const o = median(times.ostree);
  console.log(`${name.padEnd(24)} ${a.toFixed(2).padStart(7)} s ${o.toFixed(2).padStart(8)} s ${(a / o).toFixed(2).padStart(7)}`);
}

const repo = (side, mode) => path.join(work, `${side}-${mode}`);
const fresh = (side, mode) => () => {
  fs.rmSync(repo(side, mode), { recursive: true, force: true });
  if (side === 'arbor') untimed(...arbor('init', '--repo', repo(side, mode), '--mode', mode));
  else untimed('ostree', ['init', `--repo=${repo(side, mode)}`, `--mode=${mode}`]);
};
const commitArbor = (mode) => () => arbor('commit', '--repo', repo('arbor', mode), '--branch', 'bench', '--tree', tree, '--subject', 'bench');
const commitOstree = (mode) => () => ['ostree', ['commit', `--repo=${repo('ostree', mode)}`, '--branch=bench', `--tree=dir=${tree}`, '--subject=bench']];
const dest = (side) => path.join(work, `${side}-checkout`);
const clear = (side) => () => fs.rmSync(dest(side), { recursive: true, force: true });

try {
  if (process.getuid?.() !== 0) console.log('note: not root; bare repos need root to keep owners');
  if (!have('ostree')) {
    console.log('ostree is not installed: nothing to compare against (apt-get install ostree)');
    process.exit(0);
  }
  buildTree();
  console.log(`tree: ${describe()} (${tree})`);
  console.log(`median of ${runs} whole-process runs, alternating\n`);
  console.log(`${'operation'.padEnd(24)} ${'arbor'.padStart(9)} ${'ostree'.padStart(10)} ${'ratio'.padStart(7)}`);
  measure('commit-bare', 'commit, cold, bare', {
    arbor: { setup: fresh('arbor', 'bare'), command: commitArbor('bare') },
    ostree: { setup: fresh('ostree', 'bare'), command: commitOstree('bare') },
  });
  measure('commit-archive', 'commit, cold, archive', {
    arbor: { setup: fresh('arbor', 'archive'), command: commitArbor('archive') },
    ostree: { setup: fresh('ostree', 'archive'), command: commitOstree('archive') },
  });
  // The bare repos hold the tree from here on (made once if the cold runs were skipped).
  for (const side of ['arbor', 'ostree']) {
    if (!fs.existsSync(repo(side, 'bare'))) {
      fresh(side, 'bare')();
      untimed(...(side === 'arbor' ? commitArbor('bare')() : commitOstree('bare')()));
    }
  }
  measure('commit-warm', 'commit, nothing changed', {
    arbor: { command: commitArbor('bare') },
    ostree: { command: commitOstree('bare') },
  });
  measure('checkout', 'checkout, hardlinks', {
    arbor: { setup: clear('arbor'), command: () => arbor('checkout', '--repo', repo('arbor', 'bare'), 'bench', dest('arbor')) },
    ostree: { setup: clear('ostree'), command: () => ['ostree', ['checkout', `--repo=${repo('ostree', 'bare')}`, 'bench', dest('ostree')]] },
  });
  measure('fsck', 'fsck, bare', {
    arbor: { command: () => arbor('fsck', '--repo', repo('arbor', 'bare')) },
    ostree: { command: () => ['ostree', ['fsck', `--repo=${repo('ostree', 'bare')}`]] },
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
