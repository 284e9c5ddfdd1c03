import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { KargsResult } from '../../sysroot/editKargs';

export default class KargsCommand extends ArborCommand<typeof KargsCommand> {
  static override summary = 'Print the default deployment\'s kernel arguments, or change them.';
  static override examples = [
    { description: 'Show them', command: '<%= config.bin %> kargs' },
    { description: 'Add a serial console and drop quiet', command: '<%= config.bin %> kargs --append console=ttyS0,115200 --delete quiet' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    append: Flags.string({ description: 'Add KEY or KEY=VALUE (repeatable)', multiple: true }),
    delete: Flags.string({ description: 'Remove KEY=VALUE, or every value of KEY (repeatable)', multiple: true }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<KargsResult> {
    const { arbor } = await this.loadArbor();
    const { editKargs } = require('../../sysroot/editKargs.js') as typeof import('../../sysroot/editKargs.js');
    const result = await editKargs({ ...sysrootOptions(this.flags, arbor), append: this.flags.append, delete: this.flags.delete });
    if (!this.jsonEnabled()) this.log(result.kargs.join(' '));
    return result;
  }
}
