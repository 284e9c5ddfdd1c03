import { ArborCommand } from '../ArborCommand';
import { sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { SysrootStatus } from '../../sysroot/status';

export default class Status extends ArborCommand<typeof Status> {
  static override summary = 'Show the deployments in boot order (index 0 is the default), a staged one, and a failed finalize.';
  static override examples = [
    { description: 'The running system', command: '<%= config.bin %> status' },
    { description: 'A sysroot being prepared, as JSON', command: '<%= config.bin %> status --sysroot /mnt/sysroot --json' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
  };

  async run(): Promise<SysrootStatus> {
    const { arbor } = await this.loadArbor();
    const { status } = require('../../sysroot/status.js') as typeof import('../../sysroot/status.js');
    const { formatStatus } = require('../../sysroot/formatStatus.js') as typeof import('../../sysroot/formatStatus.js');
    const result = await status(sysrootOptions(this.flags, arbor));
    if (!this.jsonEnabled()) process.stdout.write(formatStatus(result));
    return result;
  }
}
