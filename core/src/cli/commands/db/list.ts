import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { DbPackage } from '../../../compose/PackageDb';

export default class DbList extends ArborCommand<typeof DbList> {
  static override summary = 'List the packages a composed commit holds.';
  static override examples = [
    { description: 'Packages of a ref', command: '<%= config.bin %> db list --repo /srv/repo fedora/x86_64/base' },
    { description: 'Of the commit before it, as JSON', command: '<%= config.bin %> db list --repo /srv/repo fedora/x86_64/base^ --json' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, commit ID, unique prefix, or REF^', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The Arbor repo', required: true }),
  };

  async run(): Promise<DbPackage[]> {
    const { listCommitPackages } = require('../../../compose/PackageDb.js') as typeof import('../../../compose/PackageDb.js');
    const packages = listCommitPackages(this.flags.repo, this.args.ref);
    if (!this.jsonEnabled()) {
      for (const pkg of packages) this.log(`${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`);
    }
    return packages.map(({ name, epoch, version, release, arch }) => ({ name, epoch, version, release, arch }));
  }
}
