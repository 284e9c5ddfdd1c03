#!/usr/bin/env node
// Benchmark: unpacking RPMs with Arbor's installer against `rpm2cpio PKG | cpio -idm` on the
// same packages. Builds once (cached in $TMPDIR/arbor-bench-rpm-unpack) real RPMs with
// rpmbuild from this machine's files, in the three payload compressions distributions use:
//   python   /usr/lib/python3: ~2.9k small files (the per-file cost)
//   gcc      /usr/lib/gcc: ~170 files, mostly large binaries (the per-byte cost)
// plus the largest real-world packages among the shared fixtures, unpacked in one go. Then,
// alternating the tools so machine noise hits both, times whole processes into fresh empty
// directories (tmpfs when /dev/shm exists, so the disk's noise stays out; --dir DIR to choose).
// Arbor is timed both as a new process and warm, installing again in the same process.
// Arbor does more than cpio: it checks the payload digest and every file's digest, stages and
// renames, resolves owners in the tree and sets capabilities; cpio only writes. Prints medians
// and the Arbor/cpio ratio (under 1 means Arbor is faster). It asserts nothing.
//   node scripts/bench/rpm-unpack.mjs [--runs N] [--dir DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnless } from './skipUnless.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option('--runs')) || 5;
const cache = path.join(os.tmpdir(), 'arbor-bench-rpm-unpack');
const scratchBase = option('--dir') ?? (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());
const plugin = path.join(root, 'plugins', 'rpm', 'dist', 'index.js');
const fixtures = path.resolve(root, '..', 'shared', 'fixtures');

const SOURCES = { python: '/usr/lib/python3', gcc: '/usr/lib/gcc' };
// Fedora writes w19.zstdio and RHEL w2.xzdio; zstd decodes at the same speed at any level, and
// level 19 takes minutes to build here, so the zstd packages use level 3.
const PAYLOADS = { gzip: 'w6.gzdio', xz: 'w2.xzdio', zstd: 'w3.zstdio' };
const REAL_PACKAGES = [
  'rpm/rpmfile-py/hello.rpm',
  'rpm/rpmfile-py/xmlstarlet.rpm',
  'rpm/go-rpmutils/crypto-policies-20210617-1.gitc776d3e.el8.noarch.rpm',
  'rpm/rpm-rs/legacy-test_assets/monkeysphere-0.37-1.el7.noarch.rpm',
  'rpm/rpm-rs/legacy-test_assets/389-ds-base-devel-1.3.8.4-15.el7.x86_64.rpm',
].map((file) => path.join(fixtures, file));

skipUnless({ tools: ['rpmbuild', 'rpm2cpio', 'cpio'], built: plugin });

function buildPackages() {
  const done = path.join(cache, 'done');
  if (fs.existsSync(done)) return JSON.parse(fs.readFileSync(done, 'utf8'));
  fs.rmSync(cache, { recursive: true, force: true });
  fs.mkdirSync(cache, { recursive: true });
  console.log('building the benchmark packages once (a few minutes)...');
  const spec = path.join(cache, 'bench.spec');
  fs.writeFileSync(spec, [
    'Name: arbor-bench-%{set}', 'Version: 1', 'Release: %{compression}', 'Summary: Arbor unpack benchmark', 'License: MIT',
    'AutoReqProv: no', '%description', 'Files of this machine, for benchmarking.',
    '%install', 'mkdir -p %{buildroot}/opt/bench', 'cp -a %{source} %{buildroot}/opt/bench/', '%files', '/opt/bench', '',
  ].join('\n'));
  const packages = [];
  for (const [set, source] of Object.entries(SOURCES)) {
    for (const [compression, payload] of Object.entries(PAYLOADS)) {
      const topdir = path.join(cache, `${set}-${compression}`);
      execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${topdir}`, '--define', `_binary_payload ${payload}`,
        '--define', `set ${set}`, '--define', `compression ${compression}`, '--define', `source ${source}`,
        '--define', '__os_install_post %{nil}', '--define', '_build_id_links none', spec], { stdio: ['ignore', 'ignore', 'inherit'] });
      const rpmDir = path.join(topdir, 'RPMS', fs.readdirSync(path.join(topdir, 'RPMS'))[0]);
      packages.push({ label: `${set} (${compression})`, files: [path.join(rpmDir, fs.readdirSync(rpmDir)[0])] });
      fs.rmSync(path.join(topdir, 'BUILDROOT'), { recursive: true, force: true });
    }
  }
  fs.writeFileSync(done, JSON.stringify(packages));
  return packages;
}

function freshDir() {
  return fs.mkdtempSync(path.join(scratchBase, 'arbor-bench-rpm-'));
}

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function cpioUnpack(files) {
  const dir = freshDir();
  try {
    return timed(() => {
      for (const file of files) {
        const result = spawnSync('sh', ['-c', 'rpm2cpio "$1" | cpio -idm --quiet', 'sh', file], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        if (result.status !== 0) throw new Error(`rpm2cpio | cpio failed on ${file}: ${result.stderr}`);
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Installs the packages twice into fresh trees: the first pass pays for JIT warm-up and the
// decoder thread's start, the second is the steady state a compose of many packages runs at.
const ARBOR_SCRIPT = `
const { installPackage, RpmInstallState } = require(process.argv[1]);
(async () => {
  const [dir, ...files] = process.argv.slice(2);
  const times = [];
  for (const pass of ['first', 'warm']) {
    const tree = dir + '/' + pass;
    require('fs').mkdirSync(tree);
    const state = new RpmInstallState();
    const start = process.hrtime.bigint();
    for (const file of files) await installPackage(file, { tree, state });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  process.stdout.write(times.join(' '));
})().catch((error) => { console.error(error.message); process.exit(1); });`;

/**
 * One process installing the packages twice: its wall time less the warm pass is what a new
 * process pays for one install (start-up included), comparable with the cpio pipeline's.
 */
function arborUnpack(files) {
  const dir = freshDir();
  try {
    let result;
    const wall = timed(() => {
      result = spawnSync(process.execPath, ['-e', ARBOR_SCRIPT, plugin, dir, ...files], { encoding: 'utf8' });
    });
    if (result.status !== 0) throw new Error(`Arbor failed: ${result.stderr}`);
    const warm = Number(result.stdout.split(' ')[1]);
    return { total: wall - warm, warm };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (value) => `${value.toFixed(2)} s`;

const sets = [...buildPackages(), { label: `${REAL_PACKAGES.length} fixture packages`, files: REAL_PACKAGES }];
console.log(`unpacking into ${scratchBase}, median of ${runs} alternating runs`);
const header = ['package', 'size', 'rpm2cpio | cpio', 'arbor, new process', 'arbor, warm', 'ratio new', 'ratio warm'];
const rows = [];
const sums = { cpio: 0, total: 0, warm: 0 };
for (const set of sets) {
  const cpio = [];
  const total = [];
  const warm = [];
  for (let run = 0; run < runs; run++) {
    cpio.push(cpioUnpack(set.files));
    const measured = arborUnpack(set.files);
    total.push(measured.total);
    warm.push(measured.warm);
  }
  const bytes = set.files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const [c, t, w] = [median(cpio), median(total), median(warm)];
  sums.cpio += c;
  sums.total += t;
  sums.warm += w;
  rows.push([set.label, `${(bytes / 1e6).toFixed(1)} MB`, seconds(c), seconds(t), seconds(w), (t / c).toFixed(2), (w / c).toFixed(2)]);
}
rows.push(['all', '', seconds(sums.cpio), seconds(sums.total), seconds(sums.warm), (sums.total / sums.cpio).toFixed(2), (sums.warm / sums.cpio).toFixed(2)]);
console.log('(arbor, new process: Node start-up, loading the plugin and the first install;');
console.log(' arbor, warm: the same packages installed again in that process, as a compose installs its hundreds)');
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
