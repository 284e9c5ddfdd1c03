#!/usr/bin/env node
// Resolver benchmark: install every package name of the largest fixture repo (libdnf's 43-package
// x86_64 repo) into an empty root, with Arbor's rpm-md reader + resolver and with libsolv's
// testsolv, side by side, alternating runs. Prints medians, the Arbor/libsolv ratio, and whether
// both chose the same NEVRAs. A second run does the same on a generated 10,000-package repo
// (versioned requires, virtual provides, conflicts) to show how both scale.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoDir = path.join(root, 'test/fixtures/repodata/libdnf/modules/modules/_all/x86_64');
const runs = Number(process.env.BENCH_RUNS ?? 15);

for (const tool of ['testsolv', 'repo2solv']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.log(`skipped: needs ${tool} (libsolv-tools) on PATH`);
    process.exit(0);
  }
}

const require = createRequire(import.meta.url);
const { Resolver, RpmMdSource, nevra } = require(path.join(root, 'plugins/rpm-md/dist/index.js'));
const { Arbor } = require(path.join(root, 'core/dist/index.js'));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-resolve-'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const context = new Arbor().context();
let failed = false;
try {
  const fixture = await new RpmMdSource({ id: 'available', url: repoDir, cacheDir: path.join(work, 'cache') }).packages(context);
  await compare('libdnf _all/x86_64 (largest fixture)', repoDir, [...new Set(fixture.map((pkg) => pkg.name))].sort(), runs);
  const synthetic = writeSyntheticRepo(path.join(work, 'synthetic'), 5000);
  await compare('generated (5,000 names x 2 versions)', synthetic, ['p04999', 'p04990', 'p04980', 'p04500', 'p03000'], Math.max(3, Math.floor(runs / 3)));
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;

async function compare(label, repo, names, count) {
  const dir = fs.mkdtempSync(path.join(work, 'case-'));
  const probe = await new RpmMdSource({ id: 'available', url: repo, cacheDir: path.join(dir, 'cache') }).packages(context);
  // libsolv: the repo converted once by its own rpm-md reader, then one testsolv process per run.
  execFileSync('repo2solv', ['-o', path.join(dir, 'repo.solv'), repo]);
  fs.writeFileSync(path.join(dir, 'case.t'), [
    'repo system 0 empty', 'repo available 0 solv repo.solv', 'system x86_64 rpm system',
    ...names.map((name) => `job install name ${name}`), 'result transaction,problems <inline>', '',
  ].join('\n'));

  const arborRun = async () => {
    const start = process.hrtime.bigint();
    const packages = await new RpmMdSource({ id: 'available', url: repo, cacheDir: path.join(dir, 'cache') }).packages(context);
    const parsed = process.hrtime.bigint();
    const result = new Resolver(packages, { arch: 'x86_64', recommends: true, excluded: [] }).resolve(names);
    const end = process.hrtime.bigint();
    return { ms: Number(end - start) / 1e6, resolveMs: Number(end - parsed) / 1e6, chosen: result.selected.map(nevra).sort(), problems: result.problems };
  };
  const libsolvRun = () => {
    const start = process.hrtime.bigint();
    const out = spawnSync('testsolv', ['case.t'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const chosen = out.split('\n').map((line) => /^\+install (\S+)@available$/.exec(line)?.[1]).filter(Boolean).sort();
    return { ms, chosen };
  };
  const repo2solvRun = () => {
    const start = process.hrtime.bigint();
    execFileSync('repo2solv', ['-o', path.join(dir, 'again.solv'), repo]);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };

  await arborRun(); // warm the module and file caches once
  const ours = [];
  const oursResolve = [];
  const theirs = [];
  const conversions = [];
  let last;
  let reference;
  for (let i = 0; i < count; i++) {
    last = await arborRun();
    ours.push(last.ms);
    oursResolve.push(last.resolveMs);
    reference = libsolvRun();
    theirs.push(reference.ms);
    conversions.push(repo2solvRun());
  }
  const same = JSON.stringify(last.chosen) === JSON.stringify(reference.chosen);
  if (!same) failed = true;
  console.log(`\nrepo: ${label}, ${probe.length} packages; request: ${names.length} names; ${count} runs each`);
  console.log('| what | median ms |');
  console.log('|---|---|');
  console.log(`| arbor: read primary.xml.gz + resolve (in process) | ${median(ours).toFixed(2)} |`);
  console.log(`| arbor: resolve only | ${median(oursResolve).toFixed(2)} |`);
  console.log(`| libsolv: testsolv process (reads repo.solv + solves) | ${median(theirs).toFixed(2)} |`);
  console.log(`| libsolv: repo2solv process (rpm-md -> solv) | ${median(conversions).toFixed(2)} |`);
  console.log(`ratio arbor / testsolv: ${(median(ours) / median(theirs)).toFixed(2)}`);
  console.log(`ratio arbor / (repo2solv + testsolv): ${(median(ours) / (median(theirs) + median(conversions))).toFixed(2)}`);
  console.log(`same ${last.chosen.length} NEVRAs as libsolv: ${same ? 'yes' : 'NO'}${last.problems.length ? ` (arbor problems: ${last.problems.join('; ')})` : ''}`);
}

/**
 * A reproducible rpm-md repo of `count` names in two versions each: every package requires up
 * to four earlier names (some `>= 2.0`), some require a virtual provide offered by several
 * names, and a few 2.0 versions conflict with older versions of others.
 */
function writeSyntheticRepo(dir, count) {
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const id = (i) => `p${String(i).padStart(5, '0')}`;
  const lines = [`<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="${count * 2}">`];
  for (let i = 0; i < count; i++) {
    for (const version of ['1.0', '2.0']) {
      const requires = [];
      for (let k = 0; k < 4 && i > 0; k++) {
        requires.push(`<rpm:entry name="${id(Math.floor(random() * i))}"${random() < 0.3 ? ' flags="GE" epoch="0" ver="2.0"' : ''}/>`);
      }
      if (i > 10 && random() < 0.2) requires.push(`<rpm:entry name="virt${i % 50}"/>`);
      const provides = [`<rpm:entry name="${id(i)}" flags="EQ" epoch="0" ver="${version}" rel="1"/>`, ...(i % 7 === 0 ? [`<rpm:entry name="virt${i % 50}"/>`] : [])];
      const conflicts = version === '2.0' && random() < 0.02 ? `<rpm:conflicts><rpm:entry name="${id(Math.floor(random() * count))}" flags="LT" epoch="0" ver="1.5"/></rpm:conflicts>` : '';
      const checksum = crypto.createHash('sha256').update(`${id(i)}-${version}`).digest('hex');
      lines.push(`<package type="rpm"><name>${id(i)}</name><arch>x86_64</arch><version epoch="0" ver="${version}" rel="1"/>` +
        `<checksum type="sha256" pkgid="YES">${checksum}</checksum><location href="${id(i)}-${version}-1.x86_64.rpm"/><format>` +
        `<rpm:provides>${provides.join('')}</rpm:provides>${requires.length ? `<rpm:requires>${requires.join('')}</rpm:requires>` : ''}${conflicts}</format></package>`);
    }
  }
  lines.push('</metadata>\n');
  fs.mkdirSync(path.join(dir, 'repodata'), { recursive: true });
  const primary = zlib.gzipSync(lines.join('\n'));
  fs.writeFileSync(path.join(dir, 'repodata/primary.xml.gz'), primary);
  const sum = crypto.createHash('sha256').update(primary).digest('hex');
  fs.writeFileSync(path.join(dir, 'repodata/repomd.xml'), `<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo"><data type="primary"><checksum type="sha256">${sum}</checksum><location href="repodata/primary.xml.gz"/></data></repomd>\n`);
  return dir;
}
