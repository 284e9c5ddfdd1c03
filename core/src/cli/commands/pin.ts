import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { PinResult } from '../../sysroot/pinDeployment';

export default class Pin extends ArborCommand<typeof Pin> {
  static override summary = 'Pin a deployment so cleanup keeps it, or unpin it.';
  static override examples = [
    { description: 'Keep the rollback deployment through cleanups', command: '<%= config.bin %> pin 1' },
    { description: 'Release it again', command: '<%= config.bin %> pin 1 --unpin' },
  ];

  static override args = {
    index: Args.integer({ description: 'The deployment\'s index in arbor status (0 is the default)', required: true, min: 0 }),
  };

  static override flags = {
    sysroot: sysrootFlag,
    unpin: Flags.boolean({ description: 'Remove the pin instead', default: false }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<PinResult> {
    const { arbor } = await this.loadArbor();
    const { pinDeployment } = require('../../sysroot/pinDeployment.js') as typeof import('../../sysroot/pinDeployment.js');
    const result = await pinDeployment({ ...sysrootOptions(this.flags, arbor), index: this.args.index, unpin: this.flags.unpin });
    if (!this.jsonEnabled()) this.log(`Deployment ${result.index} (${result.commit}.${result.serial}) is ${result.pinned ? 'pinned' : 'unpinned'}`);
    return result;
  }
}
