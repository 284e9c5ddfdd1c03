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
    { description: 'Go back to an older commit; the origin keeps following its ref, so upgrade moves on from it later', command: '<%= config.bin %> deploy 3fa2c81b09d4' },
    { description: 'Deploy version 41.2 from the history of the ref the system follows', command: '<%= config.bin %> deploy --version 41.2' },
    { description: 'Deploy a version from a remote ref\'s history (pull it with --depth first)', command: '<%= config.bin %> deploy origin:os/x86_64/stable --version 41.2' },
    { description: 'Deploy, keeping three older deployments instead of only the rollback', command: '<%= config.bin %> deploy origin:os/x86_64/stable --keep 3' },
  ];

  static override args = {
    refspec: Args.string({ description: 'REMOTE:REF, a local REF, or a commit ID (or prefix, or REF^); with --version, the ref to search (default: the one followed)' }),
  };

  static override flags = {
    sysroot: sysrootFlag,
    stateroot: Flags.string({ description: 'The stateroot to deploy into (default: the only one)' }),
    version: Flags.string({ description: 'Deploy the commit whose version metadata is this, from the ref\'s pulled history' }),
    karg: Flags.string({ description: 'A kernel argument to add, KEY or KEY=VALUE (repeatable); a one-value key (root, rootflags, rootfstype, init) replaces the inherited value', multiple: true }),
    stage: Flags.boolean({ description: 'Prepare the deployment now; merge /etc and swap it in at shutdown (arbor finalize)', default: false }),
    'no-merge': Flags.boolean({ description: 'Start from the new commit\'s /etc defaults, carrying none of the admin\'s changes', default: false }),
    verify: Flags.boolean({ description: 'Re-hash every object the commit uses before deploying it; refuse a damaged commit', default: false }),
    keep: Flags.integer({ description: 'Unpinned deployments to keep besides the new default (default: the sysroot config\'s keep, else 1, the rollback)', min: 1 }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<DeployResult> {
    const { arbor, config } = await this.loadArbor();
    const { deploy } = require('../../sysroot/deploy.js') as typeof import('../../sysroot/deploy.js');
    const result = await deploy({
      ...sysrootOptions(this.flags, arbor, config),
      refspec: this.args.refspec,
      version: this.flags.version,
      keep: this.flags.keep,
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
