import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { UpgradeResult } from '../../sysroot/upgrade';

export default class Upgrade extends ArborCommand<typeof Upgrade> {
  static override summary = 'Deploy the newest commit of the default deployment\'s origin, if it changed.';
  static override examples = [
    { description: 'Upgrade the running system', command: '<%= config.bin %> upgrade' },
    { description: 'Only check whether there is an upgrade: exit 0 when there is one, 77 when there is none', command: '<%= config.bin %> upgrade --check' },
    { description: 'Upgrade, keeping two older deployments besides the new default (not only the rollback)', command: '<%= config.bin %> upgrade --keep 2' },
    { description: 'List the commits an upgrade would bring', command: '<%= config.bin %> upgrade --preview --sysroot /mnt/sysroot' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    stateroot: Flags.string({ description: 'Upgrade this stateroot (default: the booted or default deployment\'s)' }),
    check: Flags.boolean({ description: 'Only say whether an upgrade is available; exit 77 when there is none', default: false, exclusive: ['preview'] }),
    preview: Flags.boolean({ description: 'Show the commits an upgrade would bring; deploy nothing', default: false }),
    stage: Flags.boolean({ description: 'Stage the upgrade: /etc is merged and the boot entries swapped at shutdown', default: false }),
    keep: Flags.integer({ description: 'Unpinned deployments to keep besides the new default (default: the sysroot config\'s keep, else 1, the rollback)', min: 1 }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<UpgradeResult> {
    const { arbor, config } = await this.loadArbor();
    const { upgrade } = require('../../sysroot/upgrade.js') as typeof import('../../sysroot/upgrade.js');
    const { formatDeployResult } = require('../../sysroot/formatDeployResult.js') as typeof import('../../sysroot/formatDeployResult.js');
    const result = await upgrade({
      ...sysrootOptions(this.flags, arbor, config),
      stateroot: this.flags.stateroot,
      check: this.flags.check,
      preview: this.flags.preview,
      stage: this.flags.stage,
      keep: this.flags.keep,
    });
    // rpm-ostree's convention: `upgrade --check` exits 77 when there is nothing new.
    if (this.flags.check && !result.available) process.exitCode = 77;
    if (!this.jsonEnabled()) {
      if (result.pinnedCommit && result.available) this.log(`${result.deployed ? 'Moving' : 'Would move'} on from the pinned commit ${result.pinnedCommit} to ${result.refspec}'s ${result.latest}`);
      if (!result.available) this.log(`No upgrade available: ${result.refspec} is at ${result.latest}, already deployed`);
      else if (result.deployed) this.log(formatDeployResult(result.deployed));
      else this.log(`Upgrade available: ${result.refspec} ${result.currentBase} -> ${result.latest}`);
      for (const commit of result.preview?.commits ?? []) {
        this.log(`  ${commit.commit.slice(0, 12)} ${commit.timestamp} ${commit.version ?? ''} ${commit.subject}`.replace(/ +/g, ' '));
      }
    }
    return result;
  }
}
