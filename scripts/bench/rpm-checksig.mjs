#!/usr/bin/env node
// Benchmark: checking RPM signatures with Arbor's verifier (openpgp.js, as `arbor install`
// runs it per package from a gpgcheck=1 repo) against `rpmkeys -K` with the key imported into
// a temp rpmdb. Makes an RSA-2048 and an ed25519 key with gpg in a temp GNUPGHOME and signs
// (rpmsign --resign) three packages: a 25 KB and a 277 KB real package from test/fixtures
// (the second, from EL7, has no payload digest, so its header+payload signature is checked by
// streaming the payload through openpgp.js), and a 20 MiB one built with rpmbuild
// (incompressible content, gzip payload).
// Times, alternating the tools so machine noise hits both:
//   arbor (warm)     verifyRpmSignature in this process: what layering pays per package
//   arbor (process)  `arbor rpm checksig FILE --key KEY`: a new node process each time
//   rpmkeys          `rpmkeys -K --dbpath DB FILE`: a new process each time
// Both read the whole file (digests of header and payload, then the signatures). Prints
// medians in ms and the ratios (under 1 means Arbor is faster). It asserts nothing.
//   node scripts/bench/rpm-checksig.mjs [--runs N]
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { skipUnless } from './skipUnless.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const runs = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : undefined) || 7;
const fixtures = path.join(root, 'test', 'fixtures');
const plugin = path.join(root, 'plugins', 'rpm', 'dist', 'index.js');

skipUnless({ tools: ['gpg', 'gpgconf', 'rpmsign', 'rpmkeys', 'rpmbuild'], built: plugin });
const { RpmKeyring, verifyRpmSignature } = createRequire(import.meta.url)(plugin);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bench-checksig-'));
const gnupg = path.join(work, 'gnupg');
fs.mkdirSync(gnupg, { mode: 0o700 });
const gpg = (...rest) => execFileSync('gpg', ['--homedir', gnupg, ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function bigPackage() {
  const top = path.join(work, 'rpmbuild');
  const content = path.join(top, 'content', 'usr/share/big');
  fs.mkdirSync(content, { recursive: true });
  // Incompressible bytes, made fast and reproducibly: sha256 in counter mode.
  const out = fs.openSync(path.join(content, 'data'), 'w');
  const block = Buffer.alloc(1 << 20);
  for (let mib = 0; mib < 20; mib++) {
    for (let at = 0; at < block.length; at += 32) execSha(block, at, mib * block.length + at);
    fs.writeSync(out, block);
  }
  fs.closeSync(out);
  const spec = path.join(top, 'big.spec');
  fs.writeFileSync(spec, ['Name: bigpkg', 'Version: 1', 'Release: 1', 'Summary: big', 'License: MIT', 'BuildArch: noarch',
    '%description', 'big', '%install', `cp -a ${path.join(top, 'content')}/. %{buildroot}/`, '%files', '/usr/share/big/data', ''].join('\n'));
  execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, '--define', `_rpmdir ${work}`, '--define', '_build_name_fmt bigpkg.rpm',
    '--define', '_binary_payload w1.gzdio', '--define', '__os_install_post %{nil}', spec], { stdio: 'ignore' });
  return path.join(work, 'bigpkg.rpm');
}

import { createHash } from 'node:crypto';
function execSha(block, at, counter) {
  createHash('sha256').update(String(counter)).digest().copy(block, at);
}

try {
  const keys = {};
  for (const [name, algorithm] of [['rsa', 'rsa2048'], ['ed', 'ed25519']]) {
    gpg('--batch', '--passphrase', '', '--quick-gen-key', `bench ${name} <${name}@bench.test>`, algorithm, 'sign', 'never');
    keys[name] = path.join(work, `${name}.asc`);
    fs.writeFileSync(keys[name], gpg('--export', '--armor', `${name}@bench.test`));
  }
  const sources = {
    '25 KB': path.join(fixtures, 'rpm/rpm-rs/legacy-test_assets/rpm-sign-4.15.1-1.fc31.x86_64.rpm'),
    '277 KB': path.join(fixtures, 'rpm/rpm-rs/legacy-test_assets/389-ds-base-devel-1.3.8.4-15.el7.x86_64.rpm'),
    '20 MiB': bigPackage(),
  };
  const rows = [];
  for (const [size, source] of Object.entries(sources)) {
    for (const keyName of ['rsa', 'ed']) {
      const file = path.join(work, `${keyName}-${path.basename(source)}`);
      fs.copyFileSync(source, file);
      execFileSync('rpmsign', ['--resign', '--define', `_gpg_name ${keyName}@bench.test`, '--define', `_gpg_path ${gnupg}`, '--define', '__gpg /usr/bin/gpg', file], { stdio: 'ignore' });
      const db = fs.mkdtempSync(path.join(work, 'db-'));
      execFileSync('rpmkeys', ['--dbpath', db, '--import', keys[keyName]]);
      const keyring = await RpmKeyring.read([{ name: keys[keyName], bytes: fs.readFileSync(keys[keyName]) }]);
      const times = { warm: [], process: [], rpmkeys: [] };
      for (let run = 0; run < runs; run++) {
        let start = performance.now();
        const report = await verifyRpmSignature(file, keyring);
        times.warm.push(performance.now() - start);
        if (report.verdict !== 'ok') throw new Error(`${file}: ${report.problem}`);
        start = performance.now();
        const cli = spawnSync(process.execPath, [path.join(root, 'core/bin/run.js'), 'rpm', 'checksig', file, '--key', keys[keyName]], { stdio: 'ignore' });
        times.process.push(performance.now() - start);
        if (cli.status !== 0) throw new Error(`arbor rpm checksig ${file} exited ${cli.status}`);
        start = performance.now();
        const rpm = spawnSync('rpmkeys', ['-K', '--dbpath', db, file], { stdio: 'ignore' });
        times.rpmkeys.push(performance.now() - start);
        if (rpm.status !== 0) throw new Error(`rpmkeys -K ${file} exited ${rpm.status}`);
      }
      rows.push({ size, key: keyName === 'rsa' ? 'RSA-2048' : 'ed25519', warm: median(times.warm), process: median(times.process), rpmkeys: median(times.rpmkeys) });
    }
  }
  console.log(`median of ${runs} runs, ms`);
  console.log('| package | key | arbor (warm) | arbor (process) | rpmkeys -K | warm / rpmkeys | process / rpmkeys |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) {
    console.log(`| ${row.size} | ${row.key} | ${row.warm.toFixed(1)} | ${row.process.toFixed(0)} | ${row.rpmkeys.toFixed(1)} | ${(row.warm / row.rpmkeys).toFixed(2)} | ${(row.process / row.rpmkeys).toFixed(2)} |`);
  }
} finally {
  spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg }, stdio: 'ignore' });
  fs.rmSync(work, { recursive: true, force: true });
}
