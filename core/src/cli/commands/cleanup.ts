import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { CleanupResult } from '../../sysroot/cleanup';

export default class Cleanup extends ArborCommand<typeof Cleanup> {
  static override summary = 'Delete every deployment but the default, the rollback, the booted and pinned ones, and prune the repo.';
  static override examples = [
    { description: 'Free the space of old deployments', command: '<%= config.bin %> cleanup' },
    { description: 'As JSON', command: '<%= config.bin %> cleanup --sysroot /mnt/sysroot --json' },
    { description: 'Keep two older deployments besides the default', command: '<%= config.bin %> cleanup --keep 2' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    keep: Flags.integer({ description: 'Unpinned deployments to keep besides the default (default: the sysroot config\'s keep, else 1, the rollback)', min: 1 }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<CleanupResult> {
    const { arbor, config } = await this.loadArbor();
    const { cleanup } = require('../../sysroot/cleanup.js') as typeof import('../../sysroot/cleanup.js');
    const result = await cleanup({ ...sysrootOptions(this.flags, arbor, config), keep: this.flags.keep });
    if (!this.jsonEnabled()) {
      for (const removed of result.removed) this.log(`Removed deployment ${removed.stateroot}:${removed.commit}.${removed.serial}`);
      this.log(`Kept ${result.kept.length} deployments; pruned ${result.prune.deleted} objects (${result.prune.freedBytes} bytes)`);
    }
    return result;
  }
}
