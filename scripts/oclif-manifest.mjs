#!/usr/bin/env node
// Writes core/oclif.manifest.json so the CLI learns every command's flags from one file at
// start-up instead of loading every command module (start-up time is part of a 1% pull).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const core = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'core');
const { Plugin } = createRequire(path.join(core, 'package.json'))('@oclif/core');
const manifestFile = path.join(core, 'oclif.manifest.json');

fs.rmSync(manifestFile, { force: true });
const plugin = new Plugin({ root: core, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
const temp = `${manifestFile}.${process.pid}.tmp`;
fs.writeFileSync(temp, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
fs.renameSync(temp, manifestFile);
