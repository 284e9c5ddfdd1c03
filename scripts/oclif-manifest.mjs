#!/usr/bin/env node
// Writes oclif.manifest.json for core and for every plugin that brings commands of its own
// (package.json `oclif.commands`), so the CLI learns every command's flags from these files at
// start-up instead of loading every command module (start-up time is part of a 1% pull).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(root, 'core');
const { Plugin } = createRequire(path.join(core, 'package.json'))('@oclif/core');

/** Every workspace package that declares oclif commands: core, then plugins/* and presets/*. */
function packagesWithCommands() {
  const found = [core];
  for (const group of ['plugins', 'presets']) {
    const dir = path.join(root, group);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const packageFile = path.join(dir, name, 'package.json');
      if (!fs.existsSync(packageFile)) continue;
      if (JSON.parse(fs.readFileSync(packageFile, 'utf8')).oclif?.commands) found.push(path.join(dir, name));
    }
  }
  return found;
}

for (const packageRoot of packagesWithCommands()) {
  const manifestFile = path.join(packageRoot, 'oclif.manifest.json');
  fs.rmSync(manifestFile, { force: true });
  const plugin = new Plugin({ root: packageRoot, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
  await plugin.load();
  const temp = `${manifestFile}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
  fs.renameSync(temp, manifestFile);
}
