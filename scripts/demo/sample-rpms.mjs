#!/usr/bin/env node
// Builds the sample OS's RPMs into an rpm-md repo (docs/guide.md, "Packages"):
//   node scripts/demo/sample-rpms.mjs DIR VERSION
// Version 1 writes sample-os-1, sample-kernel and sample-hello; a later version adds its
// sample-os beside them. Needs rpmbuild and createrepo_c, and a built clone (`npm run build`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSampleRpms } from './sampleOs.mjs';

const [dir, versionText] = process.argv.slice(2);
const version = Number(versionText);
if (!dir || !Number.isInteger(version) || version < 1) {
  console.error('usage: node scripts/demo/sample-rpms.mjs DIR VERSION   (VERSION: 1, 2, ...)');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-sample-rpms-'));
try {
  for (const rpm of buildSampleRpms(path.resolve(dir), version, work)) console.log(`built ${path.relative(process.cwd(), rpm) || rpm}`);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
