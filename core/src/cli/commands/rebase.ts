import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { RebaseResult } from '../../sysroot/rebase';

export default class Rebase extends ArborCommand<typeof Rebase> {
  static override summary = 'Follow another ref: pull it, deploy its head, and keep the kernel arguments and layered packages.';
  static override examples = [
    { description: 'Switch to the testing ref of another remote', command: '<%= config.bin %> rebase testing-remote:os/x86_64/testing' },
    { description: 'Go back to stable, staged for the next shutdown', command: '<%= config.bin %> rebase origin:os/x86_64/stable --stage' },
    { description: 'Follow a local ref of the sysroot\'s repo', command: '<%= config.bin %> rebase os/x86_64/devel --sysroot /mnt/sysroot --json' },
  ];

  static override args = {
    refspec: Args.string({ description: 'REMOTE:REF (pulled first) or a local REF', required: true }),
  };

  static override flags = {
    sysroot: sysrootFlag,
    stateroot: Flags.string({ description: 'Rebase this stateroot (default: the booted or default deployment\'s)' }),
    stage: Flags.boolean({ description: 'Stage it: /etc is merged and the boot entries swapped at shutdown', default: false }),
    keep: Flags.integer({ description: 'Unpinned deployments to keep besides the new default (default: the sysroot config\'s keep, else 1, the rollback)', min: 1 }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<RebaseResult> {
    const { arbor, config } = await this.loadArbor();
    const { rebase } = require('../../sysroot/rebase.js') as typeof import('../../sysroot/rebase.js');
    const { formatDeployResult } = require('../../sysroot/formatDeployResult.js') as typeof import('../../sysroot/formatDeployResult.js');
    const result = await rebase({
      ...sysrootOptions(this.flags, arbor, config),
      refspec: this.args.refspec,
      stateroot: this.flags.stateroot,
      stage: this.flags.stage,
      keep: this.flags.keep,
    });
    if (!this.jsonEnabled()) {
      this.log(`Rebased from ${result.from} to ${result.refspec}${result.pull === 'pulled' ? ' (pulled)' : ''}`);
      this.log(formatDeployResult(result.deployed));
    }
    return result;
  }
}
