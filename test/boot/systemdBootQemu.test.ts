import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootTimings, requireUefiBoot } from '../support/qemu';
import { BootSysroot } from './BootSysroot';
import { EspMachine, realBootFiles } from './EspMachine';

/**
 * The real thing: OVMF starts systemd-boot from a FAT image of the ESP arbor wrote, systemd-boot
 * picks the default entry, and a Debian kernel boots our initramfs, which prints the command
 * line it got. Its `arbor=` must name the deployment `arbor status` calls the default.
 */
describe('systemd-boot under qemu boots the default deployment arbor chose', function () {
  this.timeout(400_000);
  const timings = new BootTimings();
  let scratch: string;
  let sysroot: BootSysroot;
  let machine: EspMachine;

  before(async function () {
    requireUefiBoot(this, ['systemd-boot-efi']);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-sdboot-qemu-'));
    sysroot = BootSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'systemd-boot' });
    machine = new EspMachine(sysroot.esp, scratch);
    // The admin's loader.conf: boot the default at once, no menu.
    fs.mkdirSync(path.join(sysroot.esp, 'loader'), { recursive: true });
    fs.writeFileSync(path.join(sysroot.esp, 'loader', 'loader.conf'), 'timeout 0\n');
    const one = await sysroot.commit(scratch, '1', realBootFiles(machine.kernel, '1'));
    const two = await sysroot.commit(scratch, '2', realBootFiles(machine.kernel, '2'));
    // panic=-1: a kernel that cannot go on reboots at once, and -no-reboot ends the run.
    sysroot.run('deploy', one, '--karg', 'panic=-1', '--karg', 'quiet');
    sysroot.run('deploy', two);
  });

  after(() => {
    if (timings.count > 0) console.log(timings.format('      systemd-boot real boots (TCG)'));
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  const defaultDeployment = () => {
    const first = sysroot.status().deployments[0]!;
    return `${first.commit}.${first.serial}`;
  };

  async function bootExpecting(label: string, expected: string): Promise<void> {
    const boot = await machine.boot(label);
    const booted = boot.cmdline ? sysroot.resolveArborArgument(boot.cmdline) : undefined;
    timings.add(label, boot, booted === expected ? 'booted the default' : `booted ${booted ?? 'nothing'}`);
    assert.ok(boot.cmdline, `${label}: no command line on the console:\n${boot.console.slice(-3000)}`);
    assert.match(boot.cmdline!, /(^| )panic=-1 quiet arbor=\/arbor\/boot\.\d\/os\/[0-9a-f]{64}\/\d( |$)/);
    assert.equal(booted, expected, `${label}: booted ${boot.cmdline}`);
  }

  it('boots the new deployment after an upgrade', async () => {
    await bootExpecting('upgrade', defaultDeployment());
    assert.match(sysroot.status().deployments[0]!.version ?? '', /^2$/);
  });

  it('boots the old deployment after arbor rollback', async () => {
    sysroot.run('rollback');
    assert.match(sysroot.status().deployments[0]!.version ?? '', /^1$/);
    await bootExpecting('rollback', defaultDeployment());
  });
});
