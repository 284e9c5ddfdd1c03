import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, ArborError } from '@arbor/core';
import { Repo } from '@arbor/core/store';
import { commitTree } from '@arbor/core/store';
import { mergeDeploymentEtc } from '@arbor/core/sysroot';
import { prepareEtc } from '@arbor/core/sysroot';
import { findKernel } from '@arbor/core/sysroot';
import { seedVar } from '@arbor/core/sysroot';
import etcMergePlugin from '@arbor/plugin-etc-merge';
import { useTempDir, writeTree } from '../support/tempDir';
import { buildOsTree, TestSysroot } from '../sysroot/sysrootFixture';
import { Canary, linkTargets, plantSymlink, prefixesOf } from './symlinkPlanter';

const DEFAULTS = {
  'pki/sub/x': 'x v1\n',
  'pki/tls/cert.pem': 'cert v1\n',
  'app/app.conf': 'app v1\n',
  'gone.conf': 'gone v1\n',
};

/** What the admin did to the v1 defaults: each kind of change the merge applies. */
function adminEdits(etc: string): void {
  fs.rmSync(path.join(etc, 'pki/sub'), { recursive: true });
  fs.rmSync(path.join(etc, 'gone.conf'));
  fs.writeFileSync(path.join(etc, 'pki/tls/cert.pem'), 'admin cert\n');
  fs.chmodSync(path.join(etc, 'app/app.conf'), 0o600);
  writeTree(etc, { 'pki/new/admin.conf': 'admin\n', 'local/dir/chain/file': 'admin file\n' });
  fs.symlinkSync('../app/app.conf', path.join(etc, 'local/link.conf'));
}

/** Every suffix of every path: where a followed link would land in the canary. */
function suffixesOf(paths: string[]): string[] {
  return [...new Set(paths.flatMap((relative) => relative.split('/').map((_, index, parts) => parts.slice(index).join('/'))))];
}

describe('issue 19: nothing follows a symlink out of a deployment', () => {
  const tmp = useTempDir('arbor-harden-etc-');

  function oldDeployment(): string {
    const root = path.join(tmp(), 'old');
    writeTree(path.join(root, 'usr/etc'), DEFAULTS);
    prepareEtc(root);
    adminEdits(path.join(root, 'etc'));
    return root;
  }

  async function mergeInto(from: string, to: string): Promise<unknown> {
    const arbor = new Arbor().use(etcMergePlugin());
    try {
      prepareEtc(to);
      return await mergeDeploymentEtc({ arbor, context: arbor.context(), from, to });
    } catch (error) {
      return error;
    }
  }

  it('keeps a canary outside intact whatever directory of the new defaults is a symlink out', async function () {
    this.timeout(60_000);
    const from = oldDeployment();
    const planPaths = ['pki/sub', 'gone.conf', 'pki/tls/cert.pem', 'app/app.conf', 'pki/new/admin.conf', 'local/dir/chain/file', 'local/link.conf'];
    const canary = new Canary(path.join(tmp(), 'canary'), suffixesOf(planPaths));
    let runs = 0;
    for (const where of ['usr', 'usr/etc', 'etc', ...prefixesOf(planPaths).map((relative) => `usr/etc/${relative}`)]) {
      for (const { style, target } of linkTargets(canary.dir)) {
        const to = path.join(tmp(), `new-${runs++}`);
        writeTree(path.join(to, 'usr/etc'), DEFAULTS);
        plantSymlink(to, where, target);
        const outcome = await mergeInto(from, to);
        canary.assertUntouched(`${where} -> ${style} link`);
        if (outcome instanceof Error) assert.ok(outcome instanceof ArborError, `${where}: ${outcome.stack}`);
      }
    }
    assert.ok(runs > 20);
  });

  it('drops the admin\'s removal below a default that became a link out, and merges the rest', async () => {
    const from = path.join(tmp(), 'old');
    writeTree(path.join(from, 'usr/etc'), DEFAULTS);
    prepareEtc(from);
    fs.rmSync(path.join(from, 'etc/pki/sub'), { recursive: true });
    fs.rmSync(path.join(from, 'etc/gone.conf'));
    fs.chmodSync(path.join(from, 'etc/app/app.conf'), 0o600);
    const canary = new Canary(path.join(tmp(), 'canary'), ['sub', 'tls']);
    const to = path.join(tmp(), 'new');
    writeTree(path.join(to, 'usr/etc'), { 'app/app.conf': 'app v1\n', 'gone.conf': 'gone v1\n' });
    fs.symlinkSync(canary.dir, path.join(to, 'usr/etc/pki'));
    const plan = await mergeInto(from, to);
    canary.assertUntouched('the merge');
    assert.ok(!(plan instanceof Error), String(plan));
    assert.equal(fs.readlinkSync(path.join(to, 'etc/pki')), canary.dir, 'the new default link stays as shipped');
    assert.equal(fs.statSync(path.join(to, 'etc/app/app.conf')).mode & 0o777, 0o600);
    assert.ok(!fs.existsSync(path.join(to, 'etc/gone.conf')));
    // pki/sub is gone from the new defaults too (pki is a link now): agreement, not a conflict.
    assert.deepEqual((plan as { conflicts: string[] }).conflicts, []);
  });

  it('refuses an admin file below a default that became a link out, naming the link', async () => {
    const from = oldDeployment();
    const canary = new Canary(path.join(tmp(), 'canary'), ['new', 'tls']);
    const to = path.join(tmp(), 'new');
    writeTree(path.join(to, 'usr/etc'), { 'app/app.conf': 'app v1\n' });
    fs.symlinkSync(canary.dir, path.join(to, 'usr/etc/pki'));
    const error = await mergeInto(from, to);
    canary.assertUntouched('the merge');
    assert.ok(error instanceof ArborError && error.code === 'ARBOR_ETC_PARENT_NOT_DIRECTORY', String(error));
    assert.match(error.message, /\/etc\/pki newly defaults to a symlink/);
  });

  it('refuses a commit whose usr/etc links out, naming it', async () => {
    const to = path.join(tmp(), 'new');
    fs.mkdirSync(path.join(to, 'usr'), { recursive: true });
    fs.symlinkSync('/', path.join(to, 'usr/etc'));
    assert.throws(() => prepareEtc(to), (error: ArborError) => error.code === 'ARBOR_ETC_NOT_DIRECTORY' && /\/usr\/etc is a symlink to \//.test(error.message));
  });

  it('seeds /var only from a real var directory, never through a link', () => {
    const canary = new Canary(path.join(tmp(), 'canary'), ['secret']);
    const deployment = path.join(tmp(), 'deployment');
    fs.mkdirSync(deployment);
    fs.symlinkSync(canary.dir, path.join(deployment, 'var'));
    const varDir = path.join(tmp(), 'stateroot-var');
    assert.equal(seedVar(varDir, deployment), false);
    assert.deepEqual(fs.readdirSync(varDir), [], 'nothing from the link target was copied into /var');
  });

  it('takes no kernel or initramfs that links out of the deployment', () => {
    const deployment = path.join(tmp(), 'deployment');
    writeTree(deployment, { 'usr/lib/modules/6.0.0/vmlinuz': 'kernel\n' });
    fs.symlinkSync('/etc/passwd', path.join(deployment, 'usr/lib/modules/6.0.0/initramfs.img'));
    assert.equal(findKernel(deployment).initramfs, undefined);
    fs.rmSync(path.join(deployment, 'usr/lib/modules/6.0.0/vmlinuz'));
    fs.symlinkSync('/etc/passwd', path.join(deployment, 'usr/lib/modules/6.0.0/vmlinuz'));
    assert.throws(() => findKernel(deployment), (error: ArborError) => error.code === 'ARBOR_SYSROOT_NO_KERNEL' || /no kernel/.test(error.message));
  });

  for (const { style, target } of [{ style: 'absolute', target: 'CANARY' }, { style: '../../..', target: 'RELATIVE' }]) {
    it(`arbor deploy keeps the admin's deletion from reaching outside through a ${style} link (the reported case)`, async function () {
      this.timeout(120_000);
      const sysroot = TestSysroot.create(path.join(tmp(), 'sysroot'));
      const canary = new Canary(path.join(tmp(), 'canary'), ['sub']);
      const v1 = await sysroot.commit(tmp(), { version: '1', etc: { 'pki/sub/x': 'x\n', 'pki/ca.pem': 'ca\n' } });
      sysroot.run('deploy', v1);
      fs.rmSync(path.join(sysroot.deploymentPath(v1), 'etc/pki/sub'), { recursive: true });

      const tree = path.join(tmp(), 'tree-v2');
      buildOsTree(tree, { version: '2', etc: {} });
      const link = path.join(tree, 'usr/etc/pki');
      fs.mkdirSync(path.dirname(link), { recursive: true });
      // ../../.. from the deployment's etc/ climbs to the sysroot's parent, where the canary is.
      const linkTarget = target === 'CANARY' ? canary.dir : `${'../'.repeat(20)}${canary.dir.slice(1)}`;
      fs.symlinkSync(linkTarget, link);
      const v2 = (await commitTree(new Arbor(), Repo.open(sysroot.repoPath), { tree, branch: 'os/x86_64', subject: 'v2' })).commit;
      sysroot.run('deploy', v2);
      canary.assertUntouched('arbor deploy');
      assert.ok(fs.existsSync(path.join(canary.dir, 'sub/canary-file')));
    });
  }
});
