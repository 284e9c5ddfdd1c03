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
let failed = 0;
for (const name of scripts) {
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(process.execPath, [path.join(dir, name)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
