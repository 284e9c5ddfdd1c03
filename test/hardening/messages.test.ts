import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { mergeDeploymentEtc } from '@arbor/core/sysroot';
import { prepareEtc } from '@arbor/core/sysroot';
import { formatEtcMerge } from '@arbor/core/sysroot';
import etcMergePlugin from '@arbor/plugin-etc-merge';
import { runArbor } from '../support/runArbor';
import { useTempDir, writeTree } from '../support/tempDir';

describe('issue 19: messages that were wrong or dangerous', () => {
  const tmp = useTempDir('arbor-harden-messages-');

  it('an edited config file whose default the new tree dropped is kept and reported as such, not as "the default changed too"', async () => {
    const from = path.join(tmp(), 'old');
    const to = path.join(tmp(), 'new');
    writeTree(path.join(from, 'usr/etc'), { 'pkg.conf': 'v1\n', 'both-gone.conf': 'v1\n', 'app.conf': 'v1\n' });
    prepareEtc(from);
    fs.writeFileSync(path.join(from, 'etc/pkg.conf'), 'admin edit\n');
    fs.writeFileSync(path.join(from, 'etc/app.conf'), 'admin edit\n');
    fs.rmSync(path.join(from, 'etc/both-gone.conf'));
    writeTree(path.join(to, 'usr/etc'), { 'app.conf': 'v2\n' });
    prepareEtc(to);
    const arbor = new Arbor().use(etcMergePlugin());
    const plan = await mergeDeploymentEtc({ arbor, context: arbor.context(), from, to });
    assert.deepEqual(plan.conflicts, ['app.conf'], 'only a default that still exists and changed is a conflict');
    assert.deepEqual(plan.defaultRemoved, ['pkg.conf']);
    assert.equal(fs.readFileSync(path.join(to, 'etc/pkg.conf'), 'utf8'), 'admin edit\n');
    const text = formatEtcMerge(plan, 'os:old').join('\n');
    assert.match(text, /kept: \/etc\/pkg\.conf \(yours; the new commit no longer ships a default for it\)/);
    assert.doesNotMatch(text, /pkg\.conf \(kept yours; the default changed too\)/);
    assert.doesNotMatch(text, /both-gone/);
  });

  it('status on an un-initialised / never suggests `arbor sysroot init /`', function () {
    if (fs.existsSync('/arbor/config.json')) this.skip();
    const run = runArbor(['status', '--sysroot', '/']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /ARBOR_SYSROOT_NOT_FOUND/);
    assert.doesNotMatch(run.stderr, /sysroot init \//);
    assert.match(run.stderr, /not managed by Arbor/);
  });

  it('invalid YAML in .arborrc.yaml keeps the parser\'s file, line, column and reason', () => {
    fs.writeFileSync(path.join(tmp(), '.arborrc.yaml'), 'plugins:\n  - grub\n bad: [\n');
    const run = runArbor(['plugins'], { cwd: tmp() });
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${tmp()}/\\.arborrc\\.yaml:3:2: bad indentation of a mapping entry`));
  });
});
