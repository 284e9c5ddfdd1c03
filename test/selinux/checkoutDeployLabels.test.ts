import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARBOR_BIN, runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';
import { assertLabelsMatchMatchpathcon, getfattrLabels } from './checkoutLabels';

const FIXTURE = path.join(__dirname, '../../fixtures/selinux/debian12-refpolicy-default/file_contexts');

/** A small bootable OS tree in ostree's layout: defaults in usr/etc, a kernel, /var content. */
function osTree(dir: string): void {
  writeTree(dir, {
    'usr/lib/os-release': 'NAME="Arbor Test OS"\nID=arbortest\nVERSION="1"\n',
    'usr/lib/modules/6.0.0/vmlinuz': 'vmlinuz\n',
    'usr/lib/modules/6.0.0/initramfs.img': 'initramfs\n',
    'usr/bin/tool': '#!/bin/sh\n',
    'usr/etc/shadow': 'root:*:19000:0:99999:7:::\n',
    'usr/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
    'usr/etc/selinux/config': 'SELINUXTYPE=default\n',
    'var/lib/tool/state': 'state\n',
    'var/log/tool.log': '',
  });
}

describe('checkout and deploy of a labeled commit', function () {
  this.timeout(5 * 60_000);
  const tmp = useTempDir('arbor-selinux-deploy-');
  const config = (): string => path.join(tmp(), 'arbor.config.json');

  function arborOk(...args: string[]): string {
    const run = runArbor([...args, '--config', config()]);
    if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}`);
    return run.stdout.trim();
  }

  beforeEach(() => fs.writeFileSync(config(), JSON.stringify({ preset: 'fedora' })));

  it('deploys /usr, the /etc copy and the seeded /var with the labels matchpathcon gives their runtime paths', async function () {
    requireTool(this, 'matchpathcon', 'getfattr');
    requireRoot(this);
    const sysroot = path.join(tmp(), 'sysroot');
    arborOk('sysroot', 'init', sysroot, '--stateroot', 'os', '--bootloader', 'none');
    const tree = path.join(tmp(), 'tree');
    osTree(tree);
    const commit = arborOk('commit', '--repo', path.join(sysroot, 'arbor/repo'), '--branch', 'os/x86_64', '--tree', tree, '--file-contexts', FIXTURE);
    arborOk('deploy', 'os/x86_64', '--sysroot', sysroot);
    const deployment = path.join(sysroot, 'arbor/deploy/os/deploy', `${commit}.0`);
    // usr/etc/x and its copy etc/x are both labeled as /etc/x.
    await assertLabelsMatchMatchpathcon(deployment, FIXTURE);
    const labels = getfattrLabels(deployment);
    assert.equal(labels.get('/etc/shadow'), 'system_u:object_r:shadow_t:s0\0');
    assert.equal(labels.get('/usr/etc/shadow'), 'system_u:object_r:shadow_t:s0\0');
    assert.equal(labels.get('/usr/bin/tool'), 'system_u:object_r:bin_t:s0\0');
    const varLabels = getfattrLabels(path.join(sysroot, 'arbor/deploy/os/var'));
    assert.equal(varLabels.get('/log/tool.log'), 'system_u:object_r:var_log_t:s0\0');
  });

  it('checks out as a non-root user without the labels, and says so once', function () {
    requireTool(this, 'setpriv', 'getfattr');
    requireRoot(this);
    fs.chmodSync(tmp(), 0o755);
    const tree = path.join(tmp(), 'tree');
    osTree(tree);
    const repo = path.join(tmp(), 'repo');
    arborOk('init', '--repo', repo, '--mode', 'bare');
    arborOk('commit', '--repo', repo, '--branch', 'os', '--tree', tree, '--file-contexts', FIXTURE);
    // A bare repo's objects are root's alone (docs/hardening.md); this one is opened to the user on purpose.
    fs.chmodSync(path.join(repo, 'objects'), 0o755);
    const dest = path.join(tmp(), 'nobody');
    fs.mkdirSync(dest, { mode: 0o777 });
    fs.chmodSync(dest, 0o777);
    const run = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, ARBOR_BIN, 'checkout', '--repo', repo, 'os', path.join(dest, 'co'), '--config', config()], {
      encoding: 'utf8', env: { ...process.env, DEBUG: '', HOME: dest, XDG_CACHE_HOME: path.join(dest, '.cache') },
    });
    assert.equal(run.status, 0, run.stderr);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('left out these xattrs'));
    assert.deepEqual(warnings.map((line) => line.replace(/^.*left out/, 'left out')), ['left out these xattrs: security.selinux (only root can set them)']);
    assert.ok(fs.existsSync(path.join(dest, 'co/usr/etc/shadow')));
    assert.equal(getfattrLabels(path.join(dest, 'co')).size, 0);
  });
});
