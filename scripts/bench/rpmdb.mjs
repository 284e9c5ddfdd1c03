#!/usr/bin/env node
// Benchmark: writing a tree's rpmdb. Arbor's writeComposeRpmDb (what compose runs) against
// `rpm -i --justdb` of the same packages in one transaction, which records them in rpm's own
// sqlite database without unpacking a file. Builds once (cached in $TMPDIR/arbor-bench-rpmdb)
// PACKAGES packages with rpmbuild, FILES files each, with requires and provides. Then,
// alternating the tools so machine noise hits both, times whole processes into fresh roots and
// prints medians and the Arbor/rpm ratio. It checks that both databases list the same NEVRAs.
//   node scripts/bench/rpmdb.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const PACKAGES = 200;
const FILES = 150;
const cache = path.join(os.tmpdir(), 'arbor-bench-rpmdb');
const rpmsDir = path.join(cache, `rpms-${PACKAGES}x${FILES}`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-rpmdb-'));

for (const tool of ['rpm', 'rpmbuild']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0) {
    console.error(`rpmdb benchmark: needs ${tool} on PATH`);
    process.exit(1);
  }
}

/** One spec per package: FILES small files under /usr/share/<name>, a require on the previous package. */
function buildPackages() {
  if (fs.existsSync(path.join(rpmsDir, 'done'))) return;
  fs.rmSync(rpmsDir, { recursive: true, force: true });
  fs.mkdirSync(rpmsDir, { recursive: true });
  for (let i = 0; i < PACKAGES; i++) {
    const name = `bench-${String(i).padStart(4, '0')}`;
    const top = path.join(cache, 'build', name);
    fs.mkdirSync(top, { recursive: true });
    const spec = [
      `Name: ${name}`, 'Version: 1.0', 'Release: 1', 'Summary: rpmdb benchmark package', 'License: MIT', 'BuildArch: noarch', 'AutoReqProv: no',
      ...(i ? [`Requires: bench-${String(i - 1).padStart(4, '0')} >= 1.0`] : []), `Provides: bench-api(${i}) = 1`,
      '%description', 'Benchmark package.',
      '%install', `mkdir -p %{buildroot}/usr/share/${name}`, `for f in $(seq 1 ${FILES}); do echo "$f" > %{buildroot}/usr/share/${name}/file-$f.txt; done`,
      '%files', `/usr/share/${name}`, '',
    ].join('\n');
    fs.writeFileSync(path.join(top, `${name}.spec`), spec);
    execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_rpmdir ${rpmsDir}`,
      '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm', '--define', '__os_install_post %{nil}', path.join(top, `${name}.spec`)], { stdio: 'ignore' });
  }
  fs.writeFileSync(path.join(rpmsDir, 'done'), '');
}

function time(command, commandArgs, env = process.env) {
  const start = process.hrtime.bigint();
  execFileSync(command, commandArgs, { stdio: 'ignore', env });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  buildPackages();
  const packages = fs.readdirSync(rpmsDir).filter((name) => name.endsWith('.rpm')).sort().map((name) => path.join(rpmsDir, name));
  const arborScript = path.join(work, 'write.cjs');
  fs.writeFileSync(arborScript, `require(${JSON.stringify(path.join(root, 'plugins/rpm/dist/rpmdb/writeComposeRpmDb.js'))}).writeComposeRpmDb(process.argv[2], process.argv.slice(3)).catch((e) => { console.error(e); process.exit(1); });\n`);
  const times = { arbor: [], rpm: [] };
  let arborRoot = '';
  let rpmRoot = '';
  for (let run = 0; run < runs; run++) {
    arborRoot = path.join(work, `arbor-${run}`);
    rpmRoot = path.join(work, `rpm-${run}`);
    fs.mkdirSync(arborRoot);
    times.arbor.push(time(process.execPath, [arborScript, arborRoot, ...packages]));
    times.rpm.push(time('rpm', ['--root', rpmRoot, '--dbpath', '/usr/lib/sysimage/rpm', '--define', '_db_backend sqlite',
      '-i', '--justdb', '--nodeps', '--noscripts', '--notriggers', '--nosignature', '--nodigest', ...packages], { ...process.env, SOURCE_DATE_EPOCH: '1700000000' }));
  }
  const list = (dir) => execFileSync('rpm', ['--root', dir, '--dbpath', '/usr/lib/sysimage/rpm', '-qa'], { encoding: 'utf8' }).split('\n').sort().join('\n');
  if (list(arborRoot) !== list(rpmRoot)) throw new Error('the two databases list different packages');
  const arbor = median(times.arbor);
  const rpm = median(times.rpm);
  console.log(`rpmdb of ${PACKAGES} packages x ${FILES} files, median of ${runs} runs (whole processes)`);
  console.log('| writer | ms | ratio |');
  console.log('| --- | ---: | ---: |');
  console.log(`| rpm -i --justdb (one transaction) | ${rpm.toFixed(0)} | 1.00 |`);
  console.log(`| arbor writeComposeRpmDb | ${arbor.toFixed(0)} | ${(arbor / rpm).toFixed(2)} |`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
