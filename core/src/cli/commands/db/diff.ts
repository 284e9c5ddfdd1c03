import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborError } from '../../../errors/ArborError';
import { ErrorCode } from '../../../errors/codes';
import { ArborCommand } from '../../ArborCommand';

interface DbPackage { name: string; epoch: number; version: string; release: string; arch: string }
interface DbChange { name: string; arch: string; from: string; to: string }
interface DbDiff { added: DbPackage[]; removed: DbPackage[]; upgraded: DbChange[]; downgraded: DbChange[] }
type PackageDbModule = { diffCommitPackages(repo: string, from: string, to: string): DbDiff };

/** Package lists are the RPM plugin's; loaded as config loading would find it. */
async function loadPackageDb(): Promise<PackageDbModule> {
  const { loadModule } = require('../../../config/resolveModule.js') as typeof import('../../../config/resolveModule.js');
  const found = await loadModule('rpm', 'plugin', process.cwd());
  const module = found?.exports as Partial<PackageDbModule> | undefined;
  if (!module || typeof module.diffCommitPackages !== 'function') {
    throw new ArborError(ErrorCode.PLUGIN_NOT_FOUND, 'Package lists need @arbor/plugin-rpm, which is not installed', { hint: 'npm install @arbor/plugin-rpm' });
  }
  return module as PackageDbModule;
}

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
    const { diffCommitPackages } = await loadPackageDb();
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
