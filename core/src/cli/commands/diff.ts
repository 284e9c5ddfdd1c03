import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';
import type { TreeDiff } from '../../store/diffCommits';

export default class Diff extends ArborCommand<typeof Diff> {
  static override summary = 'List the paths added (A), modified (M) and removed (D) between two commits.';
  static override examples = [
    { description: 'What the last commit changed', command: '<%= config.bin %> diff --repo /srv/repo os/stable^ os/stable' },
  ];

  static override args = {
    from: Args.string({ description: 'The older commit (REF)', required: true }),
    to: Args.string({ description: 'The newer commit (REF)', required: true }),
  };

  static override flags = { ...repoOrSysrootFlags };

  async run(): Promise<TreeDiff> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { diffCommits } = require('../../store/diffCommits.js') as typeof import('../../store/diffCommits.js');
    const repo = Repo.open(this.repoPath());
    const diff = diffCommits(repo, repo.resolveRev(this.args.from), repo.resolveRev(this.args.to));
    if (!this.jsonEnabled()) {
      const lines = [
        ...diff.added.map((path) => ['A', path] as const),
        ...diff.modified.map((path) => ['M', path] as const),
        ...diff.removed.map((path) => ['D', path] as const),
      ].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      for (const [change, path] of lines) this.log(`${change} ${path}`);
    }
    return diff;
  }
}
