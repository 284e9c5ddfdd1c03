import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '@arbor/core';
import { useTempDir } from '../support/tempDir';
import { installPackage, tracingPlugin } from './fakeProject';

describe('plugin references', () => {
  const tmp = useTempDir();

  function project(plugins: unknown[]): string {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, '.arborrc.json'), JSON.stringify({ preset: [], plugins }));
    return dir;
  }

  it('resolves a shorthand to @arbor/plugin-<name> before arbor-plugin-<name>', async () => {
    const dir = project(['grubby']);
    installPackage(dir, '@arbor/plugin-grubby', { 'index.js': tracingPlugin('arbor:grubby') });
    installPackage(dir, 'arbor-plugin-grubby', { 'index.js': tracingPlugin('third:grubby') });
    const config = await resolveConfig({ cwd: dir });
    assert.deepEqual(config.plugins.map((p) => p.id), ['@arbor/plugin-grubby']);
  });

  it('falls back to the third-party arbor-plugin-<name>', async () => {
    const dir = project(['stamp']);
    installPackage(dir, 'arbor-plugin-stamp', { 'index.js': tracingPlugin('third:stamp') });
    const config = await resolveConfig({ cwd: dir });
    assert.deepEqual(config.plugins.map((p) => p.id), ['arbor-plugin-stamp']);
  });

  it('takes scoped package names and paths as they are', async () => {
    const dir = project(['@acme/arbor-plugin-x', './local-plugin.js']);
    installPackage(dir, '@acme/arbor-plugin-x', { 'index.js': tracingPlugin('acme:x') });
    fs.writeFileSync(path.join(dir, 'local-plugin.js'), tracingPlugin('local:y'));
    const config = await resolveConfig({ cwd: dir });
    assert.deepEqual(config.plugins.map((p) => p.id), ['@acme/arbor-plugin-x', './local-plugin.js']);
  });

  it('names what it looked for when a plugin is missing', async () => {
    const dir = project(['nosuch']);
    await assert.rejects(resolveConfig({ cwd: dir }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_PLUGIN_NOT_FOUND');
      assert.match(error.message, /Plugin "nosuch" in .*\.arborrc\.json not found \(looked for @arbor\/plugin-nosuch, arbor-plugin-nosuch\)/);
      return true;
    });
  });
});
