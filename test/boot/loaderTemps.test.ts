import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireTool } from '../support/requireTool';
import { ARBOR_BIN } from '../support/runArbor';
import { BootSysroot, bootctlDefaultTitle, bootctlEntries, type BootFiles } from './BootSysroot';

const files = (tag: string): BootFiles => ({ kernelVersion: '6.1.0-test', vmlinuz: `vmlinuz ${tag}\n`, initramfs: `initramfs ${tag}\n` });

/** Our temp names in loader/ (BootFilesystem.tempName: `.NAME.PID.tmp`). */
function ourTemps(esp: string): string[] {
  return fs.readdirSync(path.join(esp, 'loader')).filter((name) => /^\..+\.\d+\.tmp$/.test(name));
}

/**
 * A deploy killed between writing loader.conf's temp file and renaming it over loader.conf
 * leaves `loader/.loader.conf.PID.tmp` on the ESP. The next write sweeps it, and only it: the
 * sweep of loader/entries never looked in loader/.
 */
describe('systemd-boot: a killed loader.conf write leaves a temp file, and the next write sweeps it', function () {
  this.timeout(120_000);
  let scratch = '';

  before(function () {
    requireTool(this, 'bootctl');
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-loader-temps-'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('removes loader/.loader.conf.PID.tmp on the next deploy, keeps the admin\'s files in loader/, and bootctl lists the new default', async () => {
    const sysroot = BootSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'systemd-boot' });
    const commits: string[] = [];
    for (const version of ['1', '2', '3']) commits.push(await sysroot.commit(scratch, version, files(version)));
    sysroot.run('deploy', commits[0]!);
    // Files in loader/ that are not ours: an editor's backup, a temp file of another tool.
    const adminFiles = ['notes.tmp', '.loader.conf.tmp', '.#loader.conf3f9a2b'];
    for (const name of adminFiles) fs.writeFileSync(path.join(sysroot.esp, 'loader', name), 'the admin\'s\n');

    // The crash: SIGKILL just before loader.conf's temp file is renamed into place.
    const command = sysroot.command('deploy', commits[1]!);
    const child = spawn(process.execPath, [ARBOR_BIN, ...command.args], {
      env: {
        ...command.env,
        NODE_OPTIONS: `--require ${path.join(__dirname, 'killAfterOps.js')}`,
        ARBOR_TEST_KILL_DIRS: sysroot.esp,
        ARBOR_TEST_KILL_BEFORE: `rename ${path.join(sysroot.esp, 'loader', 'loader.conf')}`,
      },
      stdio: 'ignore',
    });
    const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', 'the deploy was killed before the rename of loader.conf');
    const left = ourTemps(sysroot.esp);
    assert.deepEqual(left, [`.loader.conf.${child.pid}.tmp`], 'the crash left loader.conf\'s temp file');
    assert.equal(bootctlDefaultTitle(sysroot.esp), 'Arbor Test OS 1 (arbor:os:0)', 'the old default boots');

    sysroot.run('deploy', commits[2]!);
    assert.deepEqual(ourTemps(sysroot.esp), [], 'the next deploy swept it');
    for (const name of adminFiles) assert.equal(fs.readFileSync(path.join(sysroot.esp, 'loader', name), 'utf8'), 'the admin\'s\n', `${name} is kept`);
    assert.equal(bootctlDefaultTitle(sysroot.esp), 'Arbor Test OS 3 (arbor:os:0)');
    assert.ok(bootctlEntries(sysroot.esp).length >= 2);
  });
});
