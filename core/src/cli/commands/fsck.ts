import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';
import type { FsckResult } from '../../store/fsck';

export default class Fsck extends ArborCommand<typeof Fsck> {
  static override summary = 'Re-hash every object reachable from a ref; exit 1 if any is corrupt or missing.';
  static override examples = [
    { description: 'Check a repo', command: '<%= config.bin %> fsck --repo /srv/repo' },
    { description: 'As JSON, for monitoring', command: '<%= config.bin %> fsck --repo /srv/repo --json' },
  ];

  static override flags = { repo: repoFlag };

  async run(): Promise<FsckResult> {
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { fsck } = require('../../store/fsck.js') as typeof import('../../store/fsck.js');
    const result = await fsck(arbor, Repo.open(this.flags.repo));
    if (!this.jsonEnabled()) {
      for (const problem of result.problems) {
        process.stderr.write(`${problem.status} ${problem.kind} ${problem.id} at ${problem.path} (commit ${problem.commit}, ref ${problem.ref})${problem.reason ? `: ${problem.reason}` : ''}\n`);
      }
      this.log(`checked ${result.checked} objects: ${result.corrupt.length} corrupt, ${result.missing.length} missing`);
    }
    if (result.problems.length > 0) process.exitCode = 1;
    return result;
  }
}
