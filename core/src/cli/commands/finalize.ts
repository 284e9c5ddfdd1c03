import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { FinalizeResult } from '../../sysroot/finalize';

export default class Finalize extends ArborCommand<typeof Finalize> {
  static override summary = 'Apply a staged deployment: merge /etc as it is now and make it the default (run at shutdown).';
  static override examples = [
    { description: 'What arbor-finalize-staged.service runs at shutdown', command: '<%= config.bin %> finalize' },
    { description: 'On a sysroot being prepared', command: '<%= config.bin %> finalize --sysroot /mnt/sysroot' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    'no-wait': noWaitFlag,
  };

  async run(): Promise<FinalizeResult> {
    const { arbor, config } = await this.loadArbor();
    const { finalize } = require('../../sysroot/finalize.js') as typeof import('../../sysroot/finalize.js');
    const { formatEtcMerge } = require('../../sysroot/formatDeployResult.js') as typeof import('../../sysroot/formatDeployResult.js');
    const result = await finalize(sysrootOptions(this.flags, arbor, config));
    if (!this.jsonEnabled()) {
      if (!result.finalized) this.log('No staged deployment; nothing to do');
      else {
        this.log(`Finalized ${result.finalized.stateroot}:${result.finalized.commit}.${result.finalized.serial}: it is the default (index 0)`);
        if (result.etc && result.mergedFrom) {
          for (const line of formatEtcMerge(result.etc, `${result.mergedFrom.commit}.${result.mergedFrom.serial}`)) this.log(line);
        }
      }
    }
    return result;
  }
}
