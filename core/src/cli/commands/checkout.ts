import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';
import type { CheckoutCommitResult } from '../../store/checkoutCommit';

export default class Checkout extends ArborCommand<typeof Checkout> {
  static override summary = 'Write a commit\'s tree (or a directory of it) to DEST.';
  static override description = 'hardlink (the default) links every file to its object: instant and free, but files must not be edited in place. reflink shares extents where the filesystem can and copies elsewhere; copy writes independent files. Owners, modes and xattrs are applied in every case.';
  static override examples = [
    { description: 'Hardlink checkout', command: '<%= config.bin %> checkout --repo /srv/repo os/stable /tmp/co' },
    { description: 'Copy /usr/etc only', command: '<%= config.bin %> checkout --repo /srv/repo os/stable /tmp/etc --subpath /usr/etc --strategy copy' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, a commit ID or prefix, optionally with ^', required: true }),
    dest: Args.string({ description: 'The directory to create (or merge into with --union)', required: true }),
  };

  static override flags = {
    repo: repoFlag,
    subpath: Flags.string({ description: 'Check out only this directory of the commit' }),
    strategy: Flags.string({ description: 'hardlink (default), reflink or copy; plugins may offer more', default: 'hardlink' }),
    union: Flags.boolean({ description: 'Merge into an existing DEST: keep its directories, replace its files', default: false }),
  };

  async run(): Promise<CheckoutCommitResult> {
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { checkoutCommit } = require('../../store/checkoutCommit.js') as typeof import('../../store/checkoutCommit.js');
    const result = await checkoutCommit(arbor, Repo.open(this.flags.repo), {
      ref: this.args.ref,
      dest: this.args.dest,
      subpath: this.flags.subpath,
      strategy: this.flags.strategy,
      union: this.flags.union,
    });
    if (!this.jsonEnabled()) this.log(`${result.commit}: ${result.files} files, ${result.directories} directories (${result.strategy}) in ${result.dest}`);
    return result;
  }
}
