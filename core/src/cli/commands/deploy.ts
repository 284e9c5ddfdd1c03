import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { DeployResult } from '../../sysroot/deploy';
import { formatDeployResult } from '../../sysroot/formatDeployResult';

export default class Deploy extends ArborCommand<typeof Deploy> {
  static override summary = 'Deploy a commit: check it out beside the current deployment, merge /etc, and make it the default.';
  static override examples = [
    { description: 'Deploy what a remote\'s ref points at', command: '<%= config.bin %> deploy origin:os/x86_64/stable --sysroot /mnt/sysroot' },
    { description: 'Deploy a local ref with an extra kernel argument', command: '<%= config.bin %> deploy os/x86_64/stable --karg console=ttyS0' },
    { description: 'Stage it: /etc is merged and the boot entries swapped at shutdown', command: '<%= config.bin %> deploy os/x86_64/stable --stage' },
  ];

  static override args = {
    refspec: Args.string({ description: 'REMOTE:REF, a local REF, or a commit ID', required: true }),
  };

  static override flags = {
    sysroot: sysrootFlag,
    stateroot: Flags.string({ description: 'The stateroot to deploy into (default: the only one)' }),
    karg: Flags.string({ description: 'A kernel argument to add, KEY or KEY=VALUE (repeatable)', multiple: true }),
    stage: Flags.boolean({ description: 'Prepare the deployment now; merge /etc and swap it in at shutdown (arbor finalize)', default: false }),
    'no-merge': Flags.boolean({ description: 'Start from the new commit\'s /etc defaults, carrying none of the admin\'s changes', default: false }),
    verify: Flags.boolean({ description: 'Re-hash every object the commit uses before deploying it; refuse a damaged commit', default: false }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<DeployResult> {
    const { arbor, config } = await this.loadArbor();
    const { deploy } = require('../../sysroot/deploy.js') as typeof import('../../sysroot/deploy.js');
    const result = await deploy({
      ...sysrootOptions(this.flags, arbor, config),
      refspec: this.args.refspec,
      stateroot: this.flags.stateroot,
      kargs: this.flags.karg,
      stage: this.flags.stage,
      merge: !this.flags['no-merge'],
      verify: this.flags.verify,
    });
    if (!this.jsonEnabled()) this.log(formatDeployResult(result));
    return result;
  }
}
