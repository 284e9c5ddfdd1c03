import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';
import type { LogEntry } from '../../store/commitLog';

export default class Log extends ArborCommand<typeof Log> {
  static override summary = 'List a ref\'s history, newest first.';
  static override examples = [
    { description: 'The history of a branch', command: '<%= config.bin %> log --repo /srv/repo os/stable' },
    { description: 'The history a sysroot pulled of the ref it follows', command: '<%= config.bin %> log --sysroot / origin:os/stable' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, a commit ID or prefix, optionally with ^', required: true }),
  };

  static override flags = { ...repoOrSysrootFlags };

  async run(): Promise<LogEntry[]> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { commitLog } = require('../../store/commitLog.js') as typeof import('../../store/commitLog.js');
    const entries = commitLog(Repo.open(this.repoPath()), this.args.ref);
    if (!this.jsonEnabled()) {
      for (const entry of entries) {
        this.log(`commit ${entry.commit}`);
        this.log(`date   ${entry.timestamp}`);
        for (const [key, value] of Object.entries(entry.metadata)) this.log(`meta   ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
        this.log(`\n    ${entry.subject}\n`);
      }
    }
    return entries;
  }
}
