import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';
import type { PruneResult } from '../../store/prune';

export default class Prune extends ArborCommand<typeof Prune> {
  static override summary = 'Delete objects no ref reaches; optionally cut history to a depth or an age.';
  static override description = 'Without flags every ref keeps its whole history. Takes the repo lock exclusively: it waits for running commits, pulls and checkouts.';
  static override examples = [
    { description: 'Drop unreachable objects', command: '<%= config.bin %> prune --repo /srv/repo' },
    { description: 'Keep 3 ancestors per ref, and anything younger than 30 days', command: '<%= config.bin %> prune --repo /srv/repo --depth 3 --keep-younger-than 30d' },
  ];

  static override flags = {
    repo: repoFlag,
    depth: Flags.integer({ description: 'Ancestors to keep per ref (0: only the ref\'s commit)', min: 0 }),
    'keep-younger-than': Flags.string({ description: 'Also keep commits younger than this (30d, 12h, 1w, seconds)', helpValue: 'DURATION' }),
    'dry-run': Flags.boolean({ description: 'Count what would be deleted, delete nothing', default: false }),
  };

  async run(): Promise<PruneResult> {
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { prune } = require('../../store/prune.js') as typeof import('../../store/prune.js');
    const result = await prune(arbor, Repo.open(this.flags.repo), {
      depth: this.flags.depth,
      keepYoungerThan: this.flags['keep-younger-than'],
      dryRun: this.flags['dry-run'],
    });
    if (!this.jsonEnabled()) {
      this.log(result.dryRun ? `would delete ${result.wouldDelete} objects, ${result.wouldFreeBytes} bytes` : `deleted ${result.deleted} objects, ${result.freedBytes} bytes`);
    }
    return result;
  }
}
