import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createArbor } from '@arbor/core';
import { REPO_ROOT, runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { installPackage } from './fakeProject';

/**
 * A plugin written the way docs/plugins.md tells a third party to: its own npm package outside
 * this workspace, depending on @arbor/core, named in the project's config.
 */
const STAMP_PLUGIN = `
import { definePlugin, Stage, v } from '@arbor/core';

export default definePlugin({
  name: 'acme:stamp',
  options: v.strictObject({ builder: v.string() }),
  apply(arbor, options) {
    arbor.hooks.commit.tapPromise({ name: 'acme:stamp', stage: Stage.POST }, async (metadata) => ({
      ...metadata,
      'acme.builder': options.builder,
    }));
  },
});
`;

describe('a third-party plugin from outside the workspace', () => {
  const tmp = useTempDir('arbor-thirdparty-');

  function makeProject(): string {
    const project = tmp();
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'acme-os', private: true }));
    // What `npm install @arbor/core` leaves: the package in node_modules.
    fs.mkdirSync(path.join(project, 'node_modules', '@arbor'), { recursive: true });
    fs.symlinkSync(path.join(REPO_ROOT, 'core'), path.join(project, 'node_modules', '@arbor', 'core'));
    installPackage(project, '@acme/arbor-plugin-stamp', { 'index.mjs': STAMP_PLUGIN }, {
      version: '2.3.4',
      type: 'module',
      main: 'index.mjs',
      exports: './index.mjs',
      peerDependencies: { '@arbor/core': '*' },
    });
    fs.writeFileSync(
      path.join(project, 'arbor.config.yaml'),
      'preset: []\nplugins:\n  - ["@acme/arbor-plugin-stamp", { builder: "ci-7" }]\n',
    );
    return project;
  }

  it('is resolved from the project that holds the config and changes the commit metadata', async () => {
    const project = makeProject();
    const { arbor, config } = await createArbor({ cwd: project });
    assert.deepEqual(config.plugins.map((p) => [p.id, p.from]), [['@acme/arbor-plugin-stamp', 'config']]);
    const metadata = await arbor.hooks.commit.promise({ version: '1' }, arbor.context());
    assert.deepEqual(metadata, { version: '1', 'acme.builder': 'ci-7' });
  });

  it('changes what `arbor commit` records, as `arbor show` reports it', () => {
    const project = makeProject();
    const tree = path.join(project, 'tree');
    fs.mkdirSync(path.join(tree, 'usr'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'usr', 'hello'), 'hello\n');
    const repo = path.join(project, 'repo');
    assert.equal(runArbor(['init', '--repo', repo], { cwd: project }).status, 0);
    const commit = runArbor(['commit', '--repo', repo, '--branch', 'os', '--tree', tree, '--metadata', 'version=1'], { cwd: project });
    assert.equal(commit.status, 0, commit.stderr);
    const show = runArbor(['show', '--repo', repo, 'os', '--json'], { cwd: project });
    assert.equal(show.status, 0, show.stderr);
    assert.deepEqual(show.json<{ metadata: Record<string, unknown> }>().metadata, { version: '1', 'acme.builder': 'ci-7' });
  });

  it('shows up in `arbor plugins --json` with its version and hook', () => {
    const project = makeProject();
    const run = runArbor(['plugins', '--json'], { cwd: project });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(run.json(), [{ name: 'acme:stamp', version: '2.3.4', hooks: ['commit@100'] }]);
  });

  it('has its options validated, naming the plugin and the key', () => {
    const project = makeProject();
    fs.writeFileSync(path.join(project, 'arbor.config.yaml'), 'preset: []\nplugins:\n  - ["@acme/arbor-plugin-stamp", { buildr: "x" }]\n');
    const run = runArbor(['plugins'], { cwd: project });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: Unknown key "buildr" in options of acme:stamp; did you mean "builder"\?/);
  });
});
