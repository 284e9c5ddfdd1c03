import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createArbor, ArborError, CONFIG_SEARCH_PLACES, definePlugin, loadConfig, v } from '@arbor/core';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

/** Each search place with a config in that format selecting the `bls` bootloader. */
const CONFIG_IN_EACH_PLACE: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'x', arbor: { bootloader: 'bls' } }),
  '.arborrc': 'bootloader: bls\n',
  '.arborrc.json': '{ "bootloader": "bls" }',
  '.arborrc.yaml': 'bootloader: bls\n',
  'arbor.config.js': 'module.exports = { bootloader: "bls" };',
  'arbor.config.mjs': 'export default { bootloader: "bls" };',
  'arbor.config.cjs': 'module.exports = { bootloader: "bls" };',
  'arbor.config.ts': 'const config: { bootloader: string } = { bootloader: "bls" };\nexport default config;\n',
  'arbor.config.json': '{ "bootloader": "bls" }',
  'arbor.config.yaml': 'bootloader: bls\n',
};

describe('config', () => {
  const tmp = useTempDir();

  it('searches exactly the documented places', () => {
    assert.deepEqual(Object.keys(CONFIG_IN_EACH_PLACE).sort(), [...CONFIG_SEARCH_PLACES].sort());
  });

  for (const [place, contents] of Object.entries(CONFIG_IN_EACH_PLACE)) {
    it(`finds and validates ${place}`, async () => {
      const project = tmp();
      fs.writeFileSync(path.join(project, place), contents);
      const loaded = await loadConfig({ cwd: project });
      assert.equal(loaded.filepath, path.join(project, place));
      assert.deepEqual(loaded.config, { bootloader: 'bls' });
    });
  }

  it('searches upward from a subdirectory, but not past the project root', async () => {
    const project = tmp();
    fs.writeFileSync(path.join(project, '.arborrc.json'), '{ "bootloader": "grub" }');
    const nested = path.join(project, 'app');
    fs.mkdirSync(path.join(nested, 'src'), { recursive: true });
    fs.writeFileSync(path.join(nested, 'package.json'), '{ "name": "app" }');
    // app/ is a project of its own (it has package.json): the parent's config is not used.
    const fromNested = await loadConfig({ cwd: path.join(nested, 'src') });
    assert.equal(fromNested.filepath, undefined);
    assert.deepEqual(fromNested.config, {});
    fs.rmSync(path.join(nested, 'package.json'));
    const fromSrc = await loadConfig({ cwd: path.join(nested, 'src') });
    assert.equal(fromSrc.filepath, path.join(project, '.arborrc.json'));
  });

  it('loads exactly the file given with --config', async () => {
    const project = tmp();
    fs.writeFileSync(path.join(project, '.arborrc.json'), '{ "bootloader": "grub" }');
    fs.writeFileSync(path.join(project, 'other.yaml'), 'bootloader: systemd-boot\nesp: /efi\n');
    const loaded = await loadConfig({ cwd: project, configPath: 'other.yaml' });
    assert.deepEqual(loaded.config, { bootloader: 'systemd-boot', esp: '/efi' });
    await assert.rejects(loadConfig({ cwd: project, configPath: 'missing.yaml' }), /Config file .*missing\.yaml does not exist/);
  });

  it('names the unknown key, the file and the closest known key', async () => {
    const project = tmp();
    const file = path.join(project, '.arborrc.json');
    fs.writeFileSync(file, '{ "bootlaoder": "grub" }');
    await assert.rejects(loadConfig({ cwd: project }), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_CONFIG_INVALID');
      assert.equal(error.message, `Unknown key "bootlaoder" in ${file}; did you mean "bootloader"?`);
      return true;
    });
  });

  it('names the key and the file for a wrong type or value', async () => {
    const project = tmp();
    const file = path.join(project, 'arbor.config.yaml');
    fs.writeFileSync(file, 'plugins:\n  - storage\n  - 42\n');
    await assert.rejects(loadConfig({ cwd: project }), new RegExp(`Key "plugins\\[1\\]" in ${file} is invalid`));
    fs.writeFileSync(file, 'bootloader: Lilo Boot\n');
    await assert.rejects(loadConfig({ cwd: project }), /Key "bootloader" in .* expected a bootloader name/);
  });

  it('checks the bootloader against the names the plugins register, suggesting the closest', async () => {
    const project = tmp();
    const file = path.join(project, 'arbor.config.yaml');
    fs.writeFileSync(file, 'bootloader: blss\n');
    await assert.rejects(createArbor({ cwd: project }), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_SYSROOT_BOOTLOADER_UNKNOWN');
      assert.match(error.message, /Bootloader "blss" in .*arbor\.config\.yaml \(bootloader\) is not registered by any plugin \(known: bls, none\)/);
      assert.match(error.hint ?? '', /Did you mean "bls"\?/);
      return true;
    });
    // A writer of a shipped plugin that is not loaded: the hint names the plugin and the presets that have it.
    fs.writeFileSync(file, 'bootloader: systemd-bot\n');
    await assert.rejects(createArbor({ cwd: project }), (error: ArborError) => {
      assert.equal(error.hint, 'Did you mean "systemd-boot"? It is registered by @arbor/plugin-systemd-boot: add "systemd-boot" to the config\'s plugins (presets minimal and fedora-systemd-boot have it)');
      return true;
    });
  });

  it('refuses shapes a lax schema would let through: extra tuple items, arrays as objects', async () => {
    const project = tmp();
    const file = path.join(project, 'arbor.config.json');
    fs.writeFileSync(file, JSON.stringify({ plugins: [['storage', {}, 3]] }));
    await assert.rejects(loadConfig({ cwd: project }), new RegExp(`Key "plugins\\[0\\]" in ${file} is invalid`));
    fs.writeFileSync(file, JSON.stringify({ plugins: [['storage', []]] }));
    await assert.rejects(loadConfig({ cwd: project }), new RegExp(`Key "plugins\\[0\\]" in ${file} is invalid`));
    fs.writeFileSync(file, JSON.stringify(['bootloader']));
    await assert.rejects(loadConfig({ cwd: project }), new RegExp(`Key "\\(top level\\)" in ${file} is invalid: expected object, received array`));
  });

  it('reports a syntax error as an unreadable config', async () => {
    const project = tmp();
    fs.writeFileSync(path.join(project, '.arborrc.json'), '{ "bootloader": ');
    await assert.rejects(loadConfig({ cwd: project }), (error: ArborError) => error.code === 'ARBOR_CONFIG_UNREADABLE');
  });

  it('exits 1 with one line naming key, file and suggestion, and no stack trace', () => {
    const project = tmp();
    const file = path.join(project, '.arborrc.yaml');
    fs.writeFileSync(file, 'presett: default\n');
    const run = runArbor(['config', 'show'], { cwd: project });
    assert.equal(run.status, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^Error: Unknown key "presett" in .*\.arborrc\.yaml; did you mean "preset"\? \[ARBOR_CONFIG_INVALID\]/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
    assert.equal(run.stdout, '');

    const json = runArbor(['config', 'show', '--json'], { cwd: project });
    assert.equal(json.status, 1);
    assert.equal(json.json<{ error: { code: string } }>().error.code, 'ARBOR_CONFIG_INVALID');
  });

  it('validates plugin options against the plugin\'s own schema', () => {
    const factory = definePlugin({
      name: 'arbor:example',
      options: v.strictObject({ timeoutMs: v.optional(v.pipe(v.number(), v.safeInteger(), v.gtValue(0))) }),
      apply() {},
    });
    assert.equal(factory({ timeoutMs: 10 }).name, 'arbor:example');
    assert.throws(() => factory({ timeoutMS: 10 } as never), /Unknown key "timeoutMS" in options of arbor:example; did you mean "timeoutMs"\?/);
    assert.throws(() => factory({ timeoutMs: -1 }), /Key "timeoutMs" in options of arbor:example is invalid/);
  });
});
