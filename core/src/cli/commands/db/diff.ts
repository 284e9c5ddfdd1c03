import path from 'node:path';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborError } from '../../../errors/ArborError';
import { ErrorCode } from '../../../errors/codes';
import { ArborCommand } from '../../ArborCommand';

interface DbPackage { name: string; epoch: number; version: string; release: string; arch: string; layered?: true }
interface DbChange { name: string; arch: string; from: string; to: string; layered?: true }
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
  static override summary = 'Compare the packages of two composed commits, or of the booted (or rollback) and pending deployments of a sysroot.';
  static override examples = [
    { description: 'What the last compose changed', command: '<%= config.bin %> db diff --repo /srv/repo fedora/x86_64/base^ fedora/x86_64/base' },
    { description: 'What the next boot changes: booted deployment against the pending one; layered changes are marked', command: '<%= config.bin %> db diff --sysroot /' },
    { description: 'Two commits of a sysroot\'s repo', command: '<%= config.bin %> db diff --sysroot /mnt/sysroot origin:os/x86_64/stable^ origin:os/x86_64/stable --json' },
  ];

  static override args = {
    from: Args.string({ description: 'The older commit (ref, ID, prefix or REF^); with --sysroot alone, the booted (or rollback) deployment' }),
    to: Args.string({ description: 'The newer commit; with --sysroot alone, the pending (staged, else default) deployment' }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The Arbor repo', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot: its repo, and without revisions its booted and pending deployments', exactlyOne: ['repo', 'sysroot'] }),
  };

  async run(): Promise<DbDiff> {
    const { diffCommitPackages } = await loadPackageDb();
    if (this.args.from === undefined || this.args.to === undefined) {
      if (this.args.from !== undefined || this.flags.sysroot === undefined) {
        throw new ArborError(ErrorCode.USAGE, 'db diff needs FROM and TO, or --sysroot alone to compare the booted and pending deployments', { exitCode: 2 });
      }
      const { Sysroot } = require('../../../sysroot/Sysroot.js') as typeof import('../../../sysroot/Sysroot.js');
      const { diffDeploymentPackages } = require('../../../sysroot/diffDeploymentPackages.js') as typeof import('../../../sysroot/diffDeploymentPackages.js');
      const diff = diffDeploymentPackages(Sysroot.open(this.flags.sysroot), diffCommitPackages);
      if (!this.jsonEnabled()) {
        this.log(`${diff.from.role} ${diff.from.stateroot}:${diff.from.commit}.${diff.from.serial} -> ${diff.to.role} ${diff.to.stateroot}:${diff.to.commit}.${diff.to.serial}`);
        this.printDiff(diff);
      }
      return diff;
    }
    const repo = this.flags.repo ?? path.join(this.flags.sysroot!, 'arbor', 'repo');
    const diff = diffCommitPackages(repo, this.args.from, this.args.to);
    if (!this.jsonEnabled()) this.printDiff(diff);
    return diff;
  }

  private printDiff(diff: DbDiff): void {
    const nevra = (pkg: { name: string; epoch: number; version: string; release: string; arch: string }) =>
      `${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`;
    const layered = (entry: { layered?: true }) => (entry.layered ? ' (layered)' : '');
    for (const pkg of diff.added) this.log(`+ ${nevra(pkg)}${layered(pkg)}`);
    for (const pkg of diff.removed) this.log(`- ${nevra(pkg)}${layered(pkg)}`);
    for (const change of diff.upgraded) this.log(`↑ ${change.name}.${change.arch} ${change.from} -> ${change.to}${layered(change)}`);
    for (const change of diff.downgraded) this.log(`↓ ${change.name}.${change.arch} ${change.from} -> ${change.to}${layered(change)}`);
    if (!diff.added.length && !diff.removed.length && !diff.upgraded.length && !diff.downgraded.length) this.log('No package changes');
  }
}
