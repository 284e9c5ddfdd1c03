import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig, type ArborError } from '@arbor/core';
import { REPO_ROOT } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

/** The presets this repository ships resolve, in order, to the plugins docs/presets.md lists. */
describe('the shipped presets', () => {
  const tmp = useTempDir('arbor-presets-');
  const DEFAULT = ['storage', 'file', 'http', 'ed25519', 'etc-merge', 'bls'];

  async function resolve(config: Record<string, unknown>) {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'arbor.config.json'), JSON.stringify(config));
    const resolved = await resolveConfig({ cwd: dir });
    return resolved.plugins.map((entry) => ({ name: entry.reference, options: entry.options }));
  }

  const names = (plugins: { name: string }[]) => plugins.map((plugin) => plugin.name);

  it('default: storage, transports, ed25519, the /etc merge and BLS entries', async () => {
    assert.deepEqual(names(await resolve({})), DEFAULT);
  });

  it('fedora: default, then RPM composing, SELinux, dracut and GRUB in BLS mode', async () => {
    const plugins = await resolve({ preset: 'fedora' });
    assert.deepEqual(names(plugins), [...DEFAULT, 'rpm', 'rpm-md', 'postprocess', 'selinux', 'dracut', 'grub']);
    assert.deepEqual(plugins.at(-1)!.options, { mode: 'bls' });
  });

  it('debian: a directory or tarball as the tree, a generated grub.cfg and no SELinux', async () => {
    const plugins = await resolve({ preset: 'debian' });
    assert.deepEqual(names(plugins), [...DEFAULT, 'tree', 'postprocess', 'grub']);
    assert.deepEqual(plugins.at(-1)!.options, { mode: 'generated' });
  });

  it('minimal: a directory or tarball as the tree, systemd-boot and no SELinux', async () => {
    const plugins = await resolve({ preset: 'minimal' });
    assert.deepEqual(names(plugins), [...DEFAULT, 'tree', 'postprocess', 'systemd-boot']);
    assert.deepEqual(plugins.at(-1)!.options, {});
  });

  it('fedora-systemd-boot: fedora with systemd-boot in GRUB\'s place and one option overridden', async () => {
    const plugins = await resolve({ preset: 'fedora-systemd-boot' });
    assert.deepEqual(names(plugins), [...DEFAULT, 'rpm', 'rpm-md', 'postprocess', 'selinux', 'dracut', 'systemd-boot']);
    assert.deepEqual(plugins.at(-1)!.options, { bootCounting: 3 });
    assert.deepEqual(plugins[0]!.options, { fallbackToCopy: false });
    // Exactly that: every other plugin keeps fedora's options.
    const fedora = await resolve({ preset: 'fedora' });
    assert.deepEqual(plugins.slice(1, -1), fedora.slice(1, -1));
  });

  it('a user config takes a preset and replaces one plugin', async () => {
    const plugins = await resolve({ preset: 'fedora', replace: { grub: ['systemd-boot', {}] } });
    assert.deepEqual(names(plugins), [...DEFAULT, 'rpm', 'rpm-md', 'postprocess', 'selinux', 'dracut', 'systemd-boot']);
  });

  it('a user config takes a preset built on another and replaces one more plugin', async () => {
    const plugins = await resolve({ preset: 'minimal', replace: { 'systemd-boot': ['grub', { mode: 'generated' }] } });
    assert.deepEqual(names(plugins), [...DEFAULT, 'tree', 'postprocess', 'grub']);
    assert.deepEqual(plugins.at(-1)!.options, { mode: 'generated' });
  });

  it('a misspelt shipped preset or plugin gets "did you mean" for every one this repository ships', async () => {
    for (const kind of ['preset', 'plugin'] as const) {
      for (const name of fs.readdirSync(path.join(REPO_ROOT, `${kind}s`))) {
        const config = kind === 'preset' ? { preset: `${name}x` } : { plugins: [`${name}x`] };
        await assert.rejects(resolve(config), (error: ArborError) => {
          assert.equal(error.code, kind === 'preset' ? 'ARBOR_PRESET_NOT_FOUND' : 'ARBOR_PLUGIN_NOT_FOUND');
          assert.equal(error.hint, `Did you mean "${name}"? It ships with Arbor`, `${kind} ${name}x`);
          return true;
        });
      }
    }
    // A name far from every shipped one is a third party's, to install.
    await assert.rejects(resolve({ plugins: ['acme-stamp'] }), (error: ArborError) => /npm install arbor-plugin-acme-stamp/.test(error.hint ?? ''));
  });
});
