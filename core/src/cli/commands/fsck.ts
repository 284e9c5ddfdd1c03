import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';
import type { FsckResult } from '../../store/fsck';

export default class Fsck extends ArborCommand<typeof Fsck> {
  static override summary = 'Re-hash every object reachable from a ref; exit 1 if any is corrupt or missing.';
  static override examples = [
    { description: 'Check a repo', command: '<%= config.bin %> fsck --repo /srv/repo' },
    { description: 'As JSON, for monitoring', command: '<%= config.bin %> fsck --repo /srv/repo --json' },
  ];

  static override flags = {
    ...repoOrSysrootFlags,
    delete: Flags.boolean({ description: 'Delete corrupt objects, so that the next pull fetches them again', default: false }),
  };

  async run(): Promise<FsckResult> {
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { fsck } = require('../../store/fsck.js') as typeof import('../../store/fsck.js');
    const result = await fsck(arbor, Repo.open(this.repoPath()), { delete: this.flags.delete });
    if (!this.jsonEnabled()) {
      for (const problem of result.problems) {
        process.stderr.write(`${problem.status} ${problem.kind} ${problem.id} at ${problem.path} (commit ${problem.commit}, ref ${problem.ref})${problem.reason ? `: ${problem.reason}` : ''}\n`);
      }
      for (const stale of result.staleStaging) {
        process.stderr.write(`stale staging ${stale.path}: ${stale.bytes} bytes left by process ${stale.pid} (prune or the next commit removes it)\n`);
      }
      const invalid = result.invalid.length ? `, ${result.invalid.length} invalid` : '';
      const deleted = this.flags.delete ? `; deleted ${result.deleted.length} corrupt objects` : '';
      this.log(`checked ${result.checked} objects: ${result.corrupt.length} corrupt, ${result.missing.length} missing${invalid}${deleted}`);
    }
    if (result.problems.length > 0) process.exitCode = 1;
    return result;
  }
}
