import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { TestSysroot } from './sysrootFixture';

/** One entry as `bootctl list --json=short` prints it (systemd 252). */
interface BootctlEntry {
  id: string;
  title: string;
  version?: string;
  linux?: string;
  initrd?: string[];
  options?: string;
}

/**
 * systemd-boot's own reader as the oracle: `bootctl list` over the sysroot's /boot, which a test
 * bind-mounts onto itself because bootctl wants the ESP to be a mount point
 * (SYSTEMD_RELAX_ESP_CHECKS=1 waives only the partition and filesystem type).
 */
describe('systemd-boot reads the entries a deploy writes (bootctl)', function () {
  this.timeout(120_000);
  let scratch: string;
  let sysroot: TestSysroot;
  let boot: string;
  let mounted = false;

  const bootctl = (...args: string[]) =>
    execFileSync('bootctl', [`--esp-path=${boot}`, `--boot-path=${boot}`, '--no-pager', ...args], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_RELAX_ESP_CHECKS: '1', SYSTEMD_COLORS: '0' },
    });
  const entries = (): BootctlEntry[] => bootctl('list', '--json=short').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as BootctlEntry);
  const defaultTitle = (): string | undefined => /^\s*title: (.*) \(default\)/m.exec(bootctl('list'))?.[1];

  before(async function () {
    requireTool(this, 'bootctl', 'mount');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-bootctl-'));
    sysroot = TestSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'bls' });
    boot = path.join(sysroot.root, 'boot');
    fs.mkdirSync(boot, { recursive: true });
    const mount = spawnSync('mount', ['--bind', boot, boot], { encoding: 'utf8' });
    if (mount.status !== 0) throw new Error(`mount --bind ${boot}: ${mount.stderr.trim()}`);
    mounted = true;
    const v1 = await sysroot.commit(scratch, { version: '1', etc: { 'app.conf': 'one\n' } });
    sysroot.run('deploy', v1, '--karg', 'root=/dev/vda2', '--karg', 'quiet');
    const v2 = await sysroot.commit(scratch, { version: '2', etc: { 'app.conf': 'two\n' } });
    sysroot.run('deploy', v2);
  });

  after(() => {
    if (mounted) spawnSync('umount', [boot]);
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('lists both deployments with their kernel, initramfs and options, and every file it names exists', () => {
    const listed = entries();
    assert.deepEqual(listed.map((entry) => entry.title), ['Arbor Test OS 2 (arbor:os:0)', 'Arbor Test OS 1 (arbor:os:1)']);
    for (const entry of listed) {
      assert.match(entry.options ?? '', /^root=\/dev\/vda2 quiet arbor=\/arbor\/boot\.\d\/os\/[0-9a-f]{64}\/\d$/, entry.id);
      for (const file of [entry.linux!, ...(entry.initrd ?? [])]) assert.ok(fs.existsSync(path.join(boot, file)), `${entry.id}: ${file}`);
    }
    assert.doesNotMatch(bootctl('list'), /No such file|not found/i);
  });

  it('boots the new deployment by default, and the old one after a rollback', () => {
    assert.equal(defaultTitle(), 'Arbor Test OS 2 (arbor:os:0)');
    sysroot.run('rollback');
    assert.equal(defaultTitle(), 'Arbor Test OS 1 (arbor:os:0)');
    assert.deepEqual(entries().map((entry) => entry.title), ['Arbor Test OS 1 (arbor:os:0)', 'Arbor Test OS 2 (arbor:os:1)']);
  });
});
