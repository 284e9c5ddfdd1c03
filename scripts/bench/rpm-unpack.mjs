#!/usr/bin/env node
// Benchmark: unpacking RPMs with Arbor's installer against `rpm2cpio PKG | cpio -idm` on the
// same packages. Builds once (cached in $TMPDIR/arbor-bench-rpm-unpack) real RPMs with
// rpmbuild from this machine's files, in the three payload compressions distributions use:
//   python   /usr/lib/python3: ~2.9k small files (the per-file cost)
//   gcc      /usr/lib/gcc: ~170 files, mostly large binaries (the per-byte cost)
// plus the largest real-world packages among the shared fixtures, unpacked in one go. Then,
// alternating the tools so machine noise hits both, times whole processes into fresh empty
// directories (tmpfs when /dev/shm exists, so the disk's noise stays out; --dir DIR to choose).
// Arbor does more than cpio: it checks the payload digest and every file's digest, stages and
// renames, resolves owners in the tree and sets capabilities; cpio only writes. Prints medians
// and the Arbor/cpio ratio (under 1 means Arbor is faster). It asserts nothing.
//   node scripts/bench/rpm-unpack.mjs [--runs N] [--dir DIR]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

for (const tool of ['rpmbuild', 'rpm2cpio', 'cpio']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    console.log(`skipped: needs ${tool} on PATH`);
    process.exit(0);
  }
}
if (!fs.existsSync(plugin)) {
  console.log('skipped: build first (npx tsc -b)');
  process.exit(0);
}

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

const ARBOR_SCRIPT = `
const { installPackage, RpmInstallState } = require(process.argv[1]);
(async () => {
  const [tree, ...files] = process.argv.slice(2);
  const state = new RpmInstallState();
  const start = process.hrtime.bigint();
  for (const file of files) await installPackage(file, { tree, state });
  process.stdout.write(String(Number(process.hrtime.bigint() - start) / 1e9));
})().catch((error) => { console.error(error.message); process.exit(1); });`;

/** One process installing the packages, as a compose would; also returns the time inside it. */
function arborUnpack(files) {
  const dir = freshDir();
  const tree = path.join(dir, 'tree');
  fs.mkdirSync(tree);
  let inside = 0;
  try {
    const total = timed(() => {
      const result = spawnSync(process.execPath, ['-e', ARBOR_SCRIPT, plugin, tree, ...files], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`Arbor failed: ${result.stderr}`);
      inside = Number(result.stdout);
    });
    return { total, inside };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const seconds = (value) => `${value.toFixed(2)} s`;

const sets = [...buildPackages(), { label: `${REAL_PACKAGES.length} fixture packages`, files: REAL_PACKAGES }];
console.log(`unpacking into ${scratchBase}, median of ${runs} alternating runs`);
const header = ['package', 'size', 'rpm2cpio | cpio', 'arbor (process)', 'arbor (in process)', 'ratio'];
const rows = [];
let cpioSum = 0;
let arborSum = 0;
for (const set of sets) {
  const cpio = [];
  const arbor = [];
  const inside = [];
  for (let run = 0; run < runs; run++) {
    cpio.push(cpioUnpack(set.files));
    const measured = arborUnpack(set.files);
    arbor.push(measured.total);
    inside.push(measured.inside);
  }
  const bytes = set.files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  cpioSum += median(cpio);
  arborSum += median(arbor);
  rows.push([set.label, `${(bytes / 1e6).toFixed(1)} MB`, seconds(median(cpio)), seconds(median(arbor)), seconds(median(inside)), (median(arbor) / median(cpio)).toFixed(2)]);
}
rows.push(['all', '', seconds(cpioSum), seconds(arborSum), '', (arborSum / cpioSum).toFixed(2)]);
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
