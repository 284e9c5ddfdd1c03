#!/usr/bin/env node
// `npm run fuzz -- [--seconds N] [--target NAME] [--seed N] [--out DIR]`: coverage-guided
// fuzzing of Arbor's parsers (test/fuzz/targets.ts), each target in a worker thread for N
// seconds (default 60; all targets in turn unless --target). Findings (inputs that crash with
// anything but an ArborError, hang, blow memory or write outside their directory) are saved to
// DIR/<target>/ (default fuzz-findings/), and the exit status is 1 if there are any.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const compiled = path.join(root, 'test', 'dist', 'fuzz', 'runFuzz.js');
if (!fs.existsSync(compiled)) {
  console.error('test/dist/fuzz is not built: run `npm run build` first');
  process.exit(2);
}
const { runFuzz } = require(compiled);
const { TARGETS } = require(path.join(root, 'test', 'dist', 'fuzz', 'targets.js'));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1] : fallback;
};
const seconds = Number(option('seconds', '60'));
const seed = Number(option('seed', String(Date.now() % 2 ** 31)));
const out = path.resolve(option('out', path.join(root, 'fuzz-findings')));
const only = option('target', undefined);
const names = only ? [only] : TARGETS.map((target) => target.name);
if (only && !TARGETS.some((target) => target.name === only)) {
  console.error(`no target "${only}"; there are: ${TARGETS.map((target) => target.name).join(', ')}`);
  process.exit(2);
}
if (!(seconds > 0)) {
  console.error('--seconds wants a positive number');
  process.exit(2);
}

let total = 0;
console.log(`seed ${seed}, ${seconds} s per target, findings to ${out}`);
console.log('target        execs   exec/s  corpus  blocks  findings');
for (const name of names) {
  const result = await runFuzz({ target: name, seconds, seed, findingsDir: out });
  total += result.findings.length;
  console.log(`${name.padEnd(12)} ${String(result.execs).padStart(6)} ${(result.execs / result.seconds).toFixed(0).padStart(8)} ${String(result.corpus).padStart(7)} ${String(result.coverage).padStart(7)} ${String(result.findings.length).padStart(9)}`);
  for (const finding of result.findings) console.log(`  ${finding.kind}: ${finding.message.split('\n')[0]}`);
}
process.exit(total > 0 ? 1 : 0);
