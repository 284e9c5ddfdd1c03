import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, Stage, createArbor, type DeployEvent } from '@arbor/core';
import { useTempDir } from '../support/tempDir';
import { installPackage, tracingPlugin } from './fakeProject';

function event(): DeployEvent & { trace: string[] } {
  return { sysroot: '/', stateroot: 'os', commit: 'c', serial: 0, refspec: 'os', path: '/d', staged: false, trace: [] };
}

describe('hook ordering', () => {
  const tmp = useTempDir();

  it('runs taps by stage, then in registration order', async () => {
    const arbor = new Arbor();
    const trace: string[] = [];
    const tap = (name: string, stage?: number) =>
      arbor.hooks.deploy.tapPromise({ name, stage }, async () => { trace.push(name); });
    tap('arbor:normal-1');
    tap('arbor:post', Stage.POST);
    tap('arbor:pre', Stage.PRE);
    tap('arbor:normal-2', Stage.NORMAL);
    await arbor.hooks.deploy.promise(event(), arbor.context());
    assert.deepEqual(trace, ['arbor:pre', 'arbor:normal-1', 'arbor:normal-2', 'arbor:post']);
    assert.deepEqual(
      arbor.taps.map((t) => `${t.plugin}@${t.stage}`),
      ['arbor:pre@-100', 'arbor:normal-1@0', 'arbor:normal-2@0', 'arbor:post@100'],
    );
  });

  it('expands presets depth-first in written order, then applies the user\'s plugins', async () => {
    const project = tmp();
    // preset "outer" includes "inner" and then lists its own plugin; the config adds two more.
    installPackage(project, 'arbor-preset-inner', { 'index.js': 'module.exports = { plugins: ["a", "b"] };' });
    installPackage(project, 'arbor-preset-outer', {
      'index.js': 'module.exports = { presets: ["inner"], plugins: [["c", { level: 1 }]] };',
    });
    installPackage(project, 'arbor-preset-second', { 'index.js': 'module.exports = { plugins: ["d"] };' });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) {
      installPackage(project, `arbor-plugin-${name}`, { 'index.js': tracingPlugin(`test:${name}`) });
    }
    // "f" taps at PRE, so it runs first although it is applied last.
    installPackage(project, 'arbor-plugin-f', { 'index.js': tracingPlugin('test:f', { 'test:f': Stage.PRE }) });
    fs.writeFileSync(
      path.join(project, '.arborrc.json'),
      JSON.stringify({ preset: ['outer', 'second'], plugins: ['e', 'f'] }),
    );

    const { arbor, config } = await createArbor({ cwd: project });
    assert.deepEqual(config.plugins.map((p) => `${p.reference}<${p.from}`), [
      'a<preset:inner', 'b<preset:inner', 'c<preset:outer', 'd<preset:second', 'e<config', 'f<config',
    ]);
    assert.deepEqual(config.plugins[2]!.options, { level: 1 });
    assert.deepEqual(arbor.plugins.map((p) => p.name), ['test:a', 'test:b', 'test:c', 'test:d', 'test:e', 'test:f']);

    const run = event();
    await arbor.hooks.deploy.promise(run, arbor.context());
    assert.deepEqual(run.trace, ['test:f', 'test:a', 'test:b', 'test:c', 'test:d', 'test:e']);
  });

  it('lets a preset built on another, and a user config, replace, override and exclude inherited plugins in place', async () => {
    const project = tmp();
    installPackage(project, 'arbor-preset-distro', { 'index.js': 'module.exports = { plugins: ["a", ["grubby", { mode: "bls" }], ["c", { level: 1, color: "red" }], "d"] };' });
    // Built on distro: GRUB out for another writer, one option of c overridden.
    installPackage(project, 'arbor-preset-distro-sdboot', {
      'index.js': 'module.exports = { presets: ["distro"], replace: { grubby: ["sdboot", { tries: 3 }] }, override: { c: { level: 2 } } };',
    });
    for (const name of ['a', 'grubby', 'sdboot', 'c', 'd', 'e', 'x']) installPackage(project, `arbor-plugin-${name}`, { 'index.js': tracingPlugin(`test:${name}`) });

    fs.writeFileSync(path.join(project, '.arborrc.json'), JSON.stringify({ preset: 'distro-sdboot' }));
    let { config } = await createArbor({ cwd: project });
    assert.deepEqual(config.plugins.map((p) => p.reference), ['a', 'sdboot', 'c', 'd']);
    assert.deepEqual(config.plugins[1]!.options, { tries: 3 });
    assert.deepEqual(config.plugins[2]!.options, { level: 2, color: 'red' });

    // The user takes the preset and replaces one plugin, drops another, and adds one.
    fs.writeFileSync(path.join(project, '.arborrc.json'), JSON.stringify({ preset: 'distro-sdboot', replace: { a: 'x' }, exclude: ['d'], plugins: ['e'] }));
    ({ config } = await createArbor({ cwd: project }));
    assert.deepEqual(config.plugins.map((p) => `${p.reference}<${p.from}`), ['x<config', 'sdboot<preset:distro-sdboot', 'c<preset:distro, options from preset:distro-sdboot', 'e<config']);

    fs.writeFileSync(path.join(project, '.arborrc.json'), JSON.stringify({ preset: 'distro', exclude: ['nope'] }));
    await assert.rejects(createArbor({ cwd: project }), /changes plugin "nope" \(exclude\), which no preset before it lists/);
  });

  it('refuses a plugin listed twice, naming both places', async () => {
    const project = tmp();
    installPackage(project, 'arbor-preset-base', { 'index.js': 'module.exports = { plugins: ["a"] };' });
    installPackage(project, 'arbor-plugin-a', { 'index.js': tracingPlugin('test:a') });
    fs.writeFileSync(path.join(project, '.arborrc.json'), JSON.stringify({ preset: 'base', plugins: ['arbor-plugin-a'] }));
    await assert.rejects(createArbor({ cwd: project }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'ARBOR_PLUGIN_DUPLICATE');
      assert.match(error.message, /listed twice: in preset:base and in config/);
      return true;
    });
  });

  it('refuses a preset that includes itself', async () => {
    const project = tmp();
    installPackage(project, 'arbor-preset-loop', { 'index.js': 'module.exports = { presets: ["loop"] };' });
    fs.writeFileSync(path.join(project, '.arborrc.json'), JSON.stringify({ preset: 'loop' }));
    await assert.rejects(createArbor({ cwd: project }), /Preset loop includes itself: loop -> loop/);
  });

  it('refuses two plugins with the same name applied directly', () => {
    const arbor = new Arbor();
    const plugin = { name: 'arbor:same', apply() {} };
    arbor.use(plugin);
    assert.throws(() => arbor.use({ ...plugin }), /Plugin arbor:same is applied twice/);
  });
});
