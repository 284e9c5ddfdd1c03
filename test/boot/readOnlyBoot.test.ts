import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { v } from '@arbor/core';
import { GrubOptionsSchema, writeGeneratedConfig } from '@arbor/plugin-grub';
import { requireRoot, requireTool } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { BootSysroot, filesUnder } from './BootSysroot';

/** `dir` made read-only by a bind mount over itself; returns the undo. */
function readOnly(dir: string): () => void {
  execFileSync('mount', ['--bind', dir, dir]);
  execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
  return () => execFileSync('umount', [dir]);
}

/**
 * A read-only boot partition is reported as EROFS, with its hint. Node's recursive mkdirSync
 * says ENOENT for it ("no such file or directory"), which sent admins looking for a missing
 * directory; the writers make missing directories one at a time to get the real errno.
 */
describe('a read-only ESP or /boot: EROFS, not ENOENT, naming the path and the filesystem', function () {
  this.timeout(120_000);
  let scratch = '';
  const undo: (() => void)[] = [];

  before(function () {
    requireRoot(this);
    requireTool(this, 'mount', 'umount');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-ro-boot-'));
  });

  afterEach(() => {
    while (undo.length > 0) undo.pop()!();
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('systemd-boot: deploy onto a read-only ESP fails with one ARBOR_BOOT_FILESYSTEM line saying EROFS, and the ESP stays empty', async () => {
    const esp = path.join(scratch, 'esp');
    fs.mkdirSync(esp);
    const sysroot = BootSysroot.create(path.join(scratch, 'sdboot'), { bootloader: 'systemd-boot', esp });
    const commit = await sysroot.commit(scratch, '1', { kernelVersion: '6.1.0-test', vmlinuz: 'vmlinuz 1\n', initramfs: 'initramfs 1\n' });
    undo.push(readOnly(esp));
    const run = runArbor(['deploy', commit, '--sysroot', sysroot.root, '--config', sysroot.config]);
    assert.equal(run.status, 1, run.stdout);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, new RegExp(`^Error: .*Cannot create directory /\\S+ on the ESP \\(\\w+ at ${esp}\\): EROFS \\(mkdir\\) \\[ARBOR_BOOT_FILESYSTEM\\] \\(hint: The partition is mounted read-only: remount it read-write\\)$`));
    assert.deepEqual(filesUnder(esp), []);
    assert.deepEqual(sysroot.status().deployments, []);
  });

  it('GRUB: a grub.cfg whose directory is missing on a read-only /boot fails with EROFS, naming the directory and the filesystem', () => {
    const root = path.join(scratch, 'grub-sysroot');
    fs.mkdirSync(path.join(root, 'boot'), { recursive: true });
    undo.push(readOnly(path.join(root, 'boot')));
    assert.throws(() => writeGeneratedConfig({ sysroot: root, bootDir: path.join(root, 'boot'), deployments: [] }, v.parse(GrubOptionsSchema, { mode: 'generated', bootPrefix: '/boot', configPath: 'boot/grub/grub.cfg' })),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ARBOR_GRUB_FILESYSTEM');
        assert.match(error.message, new RegExp(`^Cannot create the directory ${root}/boot/grub on \\w+: EROFS$`));
        return true;
      });
    assert.deepEqual(fs.readdirSync(path.join(root, 'boot')), []);
  });
});
