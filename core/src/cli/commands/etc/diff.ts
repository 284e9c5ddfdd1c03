import { ArborCommand } from '../../ArborCommand';
import { sysrootFlag, sysrootOptions } from '../../SysrootFlags';
import type { EtcDiffResult } from '../../../sysroot/etcDiff';

export default class EtcDiff extends ArborCommand<typeof EtcDiff> {
  static override summary = 'List what the admin changed in /etc against the deployment\'s defaults, and merge conflicts.';
  static override examples = [
    { description: 'The running system', command: '<%= config.bin %> etc diff' },
    { description: 'As JSON', command: '<%= config.bin %> etc diff --sysroot /mnt/sysroot --json' },
  ];

  static override flags = {
    sysroot: sysrootFlag,
  };

  async run(): Promise<EtcDiffResult> {
    const { arbor } = await this.loadArbor();
    const { etcDiff } = require('../../../sysroot/etcDiff.js') as typeof import('../../../sysroot/etcDiff.js');
    const result = await etcDiff(sysrootOptions(this.flags, arbor));
    if (!this.jsonEnabled()) {
      const conflicts = new Set(result.conflicts);
      const rows = [
        ...result.modified.map((file) => ['M', file] as const),
        ...result.added.map((file) => ['A', file] as const),
        ...result.removed.map((file) => ['D', file] as const),
        ...result.skipped.map((file) => ['?', file] as const),
      ].sort((a, b) => a[1].localeCompare(b[1]));
      for (const [change, file] of rows) this.log(`${change}    /etc/${file}${conflicts.has(file) ? '    (conflict: the default changed too)' : ''}`);
      if (rows.length === 0) this.log('No changes to /etc');
    }
    return result;
  }
}
