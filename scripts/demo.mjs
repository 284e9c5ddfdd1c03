#!/usr/bin/env node
// `npm run demo`: Arbor end to end on a throwaway directory, printing each command it runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arborBin = path.join(root, 'core', 'bin', 'run.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-demo-'));

function arbor(...args) {
  console.log(`\n$ arbor ${args.join(' ')}`);
  const output = execFileSync(process.execPath, [arborBin, ...args], { cwd: work, encoding: 'utf8' });
  process.stdout.write(output);
  return output;
}

try {
  arbor('--version');
  arbor('config', 'show');
  arbor('plugins');
  console.log(`\nDemo finished in ${work}`);
} finally {
  if (!process.env.ARBOR_DEMO_KEEP) fs.rmSync(work, { recursive: true, force: true });
}
