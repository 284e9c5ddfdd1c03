#!/usr/bin/env node
// `npm run bench`: runs every benchmark in scripts/bench/ in turn. Each prints its own table of
// medians and the Arbor/reference ratio; a benchmark whose reference tool is missing says so.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'bench');
const only = process.argv.slice(2);
const scripts = fs.readdirSync(dir).filter((name) => name.endsWith('.mjs')).sort()
  .filter((name) => only.length === 0 || only.some((wanted) => name.includes(wanted)));
// NODE_EXTRA_CA_CERTS makes every Node process read and parse a CA bundle before it starts
// (~70 ms here), a cost of the machine's environment that the C tools we compare with never
// pay. It is left out for every process on both sides, and the table says so.
const env = { ...process.env };
if (env.NODE_EXTRA_CA_CERTS) {
  delete env.NODE_EXTRA_CA_CERTS;
  console.log('note: NODE_EXTRA_CA_CERTS is unset for the benchmarks (it costs every Node start ~70 ms of CA parsing)');
}
let failed = 0;
for (const name of scripts) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [path.join(dir, name)], { stdio: 'inherit', env });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
