import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { InitSysrootResult } from '../../../sysroot/initSysroot';

export default class SysrootInit extends ArborCommand<typeof SysrootInit> {
  static override summary = 'Create a sysroot: its repo, a stateroot with its /var, and /boot; record the bootloader.';
  static override examples = [
    { description: 'A new disk image at /mnt/sysroot', command: '<%= config.bin %> sysroot init /mnt/sysroot --stateroot fedora' },
    { description: 'Add a second stateroot to it', command: '<%= config.bin %> sysroot init /mnt/sysroot --stateroot debian' },
    { description: 'Booted by systemd-boot', command: '<%= config.bin %> sysroot init /mnt/sysroot --stateroot os --bootloader systemd-boot' },
  ];

  static override args = {
    sysroot: Args.string({ description: 'The directory to lay out as a sysroot', required: true }),
  };

  static override flags = {
    stateroot: Flags.string({ description: 'Name of the stateroot (the OS install) to create', required: true }),
    bootloader: Flags.string({
      description: 'The bootloader writer, by the name its plugin registers: bls, grub, systemd-boot, none, ... (default: the config\'s, else bls)',
    }),
    esp: Flags.string({ description: 'The EFI system partition, for systemd-boot (default: SYSROOT/boot/efi)' }),
  };

  async run(): Promise<InitSysrootResult> {
    const { arbor, config } = await this.loadArbor();
    const { initSysroot } = require('../../../sysroot/initSysroot.js') as typeof import('../../../sysroot/initSysroot.js');
    const result = await initSysroot({
      sysroot: this.args.sysroot,
      stateroot: this.flags.stateroot,
      bootloader: this.flags.bootloader ?? config.config.bootloader,
      bootloaderSource: this.flags.bootloader ? '--bootloader' : config.filepath ?? 'the config',
      esp: this.flags.esp ?? config.config.esp,
      storage: config.config.storage,
      arbor,
    });
    if (!this.jsonEnabled()) {
      this.log(`${result.created ? 'Created' : 'Updated'} sysroot ${result.sysroot}: stateroot ${result.stateroot}, bootloader ${result.bootloader}`);
    }
    return result;
  }
}
