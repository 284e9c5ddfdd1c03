import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { RollbackResult } from '../../sysroot/rollback';

export default class Rollback extends ArborCommand<typeof Rollback> {
  static override summary = 'Make the rollback deployment the default; run it again to undo.';
  static override examples = [
    { description: 'Boot the previous deployment next time', command: '<%= config.bin %> rollback' },
    { description: 'On a sysroot being prepared', command: '<%= config.bin %> rollback --sysroot /mnt/sysroot' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    'no-wait': noWaitFlag,
  };

  async run(): Promise<RollbackResult> {
    const { arbor, config } = await this.loadArbor();
    const { rollback } = require('../../sysroot/rollback.js') as typeof import('../../sysroot/rollback.js');
    const result = await rollback(sysrootOptions(this.flags, arbor, config));
    if (!this.jsonEnabled()) {
      this.log(`Default is now ${result.default.stateroot}:${result.default.commit}.${result.default.serial}; rollback is ${result.rollback.commit}.${result.rollback.serial}`);
      if (result.discardedStaged) this.log(`Discarded staged deployment ${result.discardedStaged}`);
    }
    return result;
  }
}
