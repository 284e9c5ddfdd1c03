import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { DbDiff } from '../../../compose/PackageDb';

export default class DbDiffCommand extends ArborCommand<typeof DbDiffCommand> {
  static override summary = 'Compare the packages of two composed commits: added, removed, upgraded and downgraded.';
  static override examples = [
    { description: 'What the last compose changed', command: '<%= config.bin %> db diff --repo /srv/repo fedora/x86_64/base^ fedora/x86_64/base' },
  ];

  static override args = {
    from: Args.string({ description: 'The older commit (ref, ID, prefix or REF^)', required: true }),
    to: Args.string({ description: 'The newer commit', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The Arbor repo', required: true }),
  };

  async run(): Promise<DbDiff> {
    const { diffCommitPackages } = require('../../../compose/PackageDb.js') as typeof import('../../../compose/PackageDb.js');
    const diff = diffCommitPackages(this.flags.repo, this.args.from, this.args.to);
    if (!this.jsonEnabled()) {
      const nevra = (pkg: { name: string; epoch: number; version: string; release: string; arch: string }) =>
        `${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`;
      for (const pkg of diff.added) this.log(`+ ${nevra(pkg)}`);
      for (const pkg of diff.removed) this.log(`- ${nevra(pkg)}`);
      for (const change of diff.upgraded) this.log(`↑ ${change.name}.${change.arch} ${change.from} -> ${change.to}`);
      for (const change of diff.downgraded) this.log(`↓ ${change.name}.${change.arch} ${change.from} -> ${change.to}`);
      if (!diff.added.length && !diff.removed.length && !diff.upgraded.length && !diff.downgraded.length) this.log('No package changes');
    }
    return diff;
  }
}
