import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { noWaitFlag, sysrootFlag, sysrootOptions } from '../SysrootFlags';
import type { KargsResult } from '../../sysroot/editKargs';

export default class KargsCommand extends ArborCommand<typeof KargsCommand> {
  static override summary = 'Print the default deployment\'s kernel arguments, or change them.';
  static override examples = [
    { description: 'Show them', command: '<%= config.bin %> kargs' },
    { description: 'Add a serial console and drop quiet', command: '<%= config.bin %> kargs --append console=ttyS0,115200 --delete quiet' },
    { description: 'Point root= at another device (root takes one value: --append would be refused)', command: '<%= config.bin %> kargs --replace root=/dev/vda3' },
    { description: 'Change one of several values of a key', command: '<%= config.bin %> kargs --replace console=ttyS0=ttyS1' },
    { description: 'Add quiet unless it is set already', command: '<%= config.bin %> kargs --append-if-missing quiet' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
    append: Flags.string({ description: 'Add KEY or KEY=VALUE (repeatable); refused for a one-value key (root, rootflags, rootfstype, init) already set', multiple: true }),
    'append-if-missing': Flags.string({ description: 'Add KEY or KEY=VALUE unless KEY is set (repeatable)', multiple: true }),
    replace: Flags.string({ description: 'KEY=VALUE: replace the one value of KEY; KEY=OLD=NEW: replace that value (repeatable)', multiple: true }),
    delete: Flags.string({ description: 'Remove KEY=VALUE, or every value of KEY (repeatable)', multiple: true }),
    'no-wait': noWaitFlag,
  };

  async run(): Promise<KargsResult> {
    const { arbor } = await this.loadArbor();
    const { editKargs } = require('../../sysroot/editKargs.js') as typeof import('../../sysroot/editKargs.js');
    const result = await editKargs({
      ...sysrootOptions(this.flags, arbor),
      append: this.flags.append,
      appendIfMissing: this.flags['append-if-missing'],
      replace: this.flags.replace,
      delete: this.flags.delete,
    });
    if (!this.jsonEnabled()) this.log(result.kargs.join(' '));
    return result;
  }
}
