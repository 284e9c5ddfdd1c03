import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';
import type { CommitDescription } from '../../store/describeCommit';

export default class Show extends ArborCommand<typeof Show> {
  static override summary = 'Show one commit: parent, subject, time, root and metadata.';
  static override examples = [
    { description: 'The branch head', command: '<%= config.bin %> show --repo /srv/repo os/stable' },
    { description: 'Its parent, as JSON', command: '<%= config.bin %> show --repo /srv/repo os/stable^ --json' },
    { description: 'A commit this machine pulled', command: '<%= config.bin %> show --sysroot / origin:os/stable' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, a commit ID or prefix, optionally with ^', required: true }),
  };

  static override flags = { ...repoOrSysrootFlags };

  async run(): Promise<CommitDescription> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { describeCommit } = require('../../store/describeCommit.js') as typeof import('../../store/describeCommit.js');
    const commit = describeCommit(Repo.open(this.repoPath()), this.args.ref);
    if (!this.jsonEnabled()) {
      this.log(`commit ${commit.commit}`);
      if (commit.parent) this.log(`parent ${commit.parent}`);
      this.log(`date   ${commit.timestamp}`);
      this.log(`root   ${commit.root} ${commit.rootMeta}`);
      if (commit.signatures.length) this.log(`signed ${commit.signatures.join(', ')}`);
      for (const [key, value] of Object.entries(commit.metadata)) this.log(`meta   ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      this.log('');
      this.log(`    ${commit.subject}`);
      if (commit.body) for (const line of commit.body.split('\n')) this.log(`    ${line}`);
    }
    return commit;
  }
}
