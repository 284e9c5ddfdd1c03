import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../support/runArbor';

/** Every source file of the workspace (packages, tests, scripts), not build output or dependencies. */
function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'build', '.git'].includes(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourceFiles(full, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function workspacePackages(): { dir: string; manifest: Record<string, unknown> }[] {
  const dirs = ['core', ...['plugins', 'presets'].flatMap((group) => fs.readdirSync(path.join(REPO_ROOT, group)).map((name) => `${group}/${name}`))];
  return dirs
    .filter((dir) => fs.existsSync(path.join(REPO_ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, 'package.json'), 'utf8')) as Record<string, unknown> }));
}

describe('the public API is the only way between packages', () => {
  it('no file imports another package\'s dist/ or src/, nor reaches into it by a relative path', () => {
    const offenders: string[] = [];
    const deep = /(?:from\s+|require\(\s*|import\(\s*)['"](@arbor\/[a-z0-9-]+\/(?:dist|src)\/[^'"]*)['"]/g;
    const relative = /(?:from\s+|require\(\s*|import\(\s*)['"]((?:\.\.\/)+(?:core|plugins\/[a-z0-9-]+|presets\/[a-z0-9-]+)\/(?:dist|src)\/[^'"]*)['"]/g;
    for (const root of ['core', 'plugins', 'presets', 'test', 'scripts']) {
      for (const file of sourceFiles(path.join(REPO_ROOT, root))) {
        const text = fs.readFileSync(file, 'utf8');
        for (const pattern of [deep, relative]) {
          for (const match of text.matchAll(pattern)) offenders.push(`${path.relative(REPO_ROOT, file)}: ${match[1]}`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('every package has an exports map, and plugins take @arbor/core as a peer', () => {
    for (const { dir, manifest } of workspacePackages()) {
      assert.ok(manifest.exports && typeof manifest.exports === 'object', `${dir} has an exports map`);
      if (dir.startsWith('plugins/')) {
        assert.equal((manifest.peerDependencies as Record<string, string> | undefined)?.['@arbor/core'], '*', `${dir} peer-depends on @arbor/core`);
        assert.equal((manifest.dependencies as Record<string, string> | undefined)?.['@arbor/core'], undefined, `${dir} does not depend on its own copy of @arbor/core`);
      }
    }
  });

  it('each preset depends on every plugin and preset it names', () => {
    for (const { dir, manifest } of workspacePackages().filter((pkg) => pkg.dir.startsWith('presets/'))) {
      const preset = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, dir, String(manifest.main ?? 'preset.json')), 'utf8')) as { presets?: string[]; plugins?: (string | [string, unknown])[] };
      const deps = Object.keys((manifest.dependencies as Record<string, string> | undefined) ?? {});
      const named = [
        ...(preset.presets ?? []).map((name) => `@arbor/preset-${name}`),
        ...(preset.plugins ?? []).map((entry) => (typeof entry === 'string' ? entry : entry[0])).map((name) => (name.includes('/') || name.startsWith('arbor-') ? name : `@arbor/plugin-${name}`)),
      ];
      for (const name of named) assert.ok(deps.includes(name), `${dir} depends on ${name}`);
    }
  });

  it('docs link only to files inside the repository', () => {
    const broken: string[] = [];
    const docs = [path.join(REPO_ROOT, 'README.md'), ...sourceFilesOf(path.join(REPO_ROOT, 'docs'), /\.md$/)];
    for (const doc of docs) {
      for (const match of fs.readFileSync(doc, 'utf8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        if (!fs.existsSync(path.resolve(path.dirname(doc), target))) broken.push(`${path.relative(REPO_ROOT, doc)} -> ${target}`);
      }
    }
    assert.deepEqual(broken, []);
  });
});

function sourceFilesOf(dir: string, pattern: RegExp): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFilesOf(full, pattern) : pattern.test(entry.name) ? [full] : [];
  });
}
