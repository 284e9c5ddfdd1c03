import * as Args from '@oclif/core/args';
import { repoOrSysrootFlags } from '../../RepoFlags';
import { ArborError } from '../../../errors/ArborError';
import { ErrorCode } from '../../../errors/codes';
import { ArborCommand } from '../../ArborCommand';

interface DbPackage { name: string; epoch: number; version: string; release: string; arch: string }
type PackageDbModule = { listCommitPackages(repo: string, rev: string): DbPackage[] };

/** Package lists are the RPM plugin's; loaded as config loading would find it. */
async function loadPackageDb(): Promise<PackageDbModule> {
  const { loadModule } = require('../../../config/resolveModule.js') as typeof import('../../../config/resolveModule.js');
  const found = await loadModule('rpm', 'plugin', process.cwd());
  const module = found?.exports as Partial<PackageDbModule> | undefined;
  if (!module || typeof module.listCommitPackages !== 'function') {
    throw new ArborError(ErrorCode.PLUGIN_NOT_FOUND, 'Package lists need @arbor/plugin-rpm, which is not installed', { hint: 'npm install @arbor/plugin-rpm' });
  }
  return module as PackageDbModule;
}

export default class DbList extends ArborCommand<typeof DbList> {
  static override summary = 'List the packages a composed commit holds.';
  static override examples = [
    { description: 'Packages of a ref', command: '<%= config.bin %> db list --repo /srv/repo fedora/x86_64/base' },
    { description: 'Of the commit before it, as JSON', command: '<%= config.bin %> db list --repo /srv/repo fedora/x86_64/base^ --json' },
    { description: 'Of a commit a sysroot holds', command: '<%= config.bin %> db list --sysroot / fedora/x86_64/base' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, commit ID, unique prefix, or REF^', required: true }),
  };

  static override flags = { ...repoOrSysrootFlags };

  async run(): Promise<DbPackage[]> {
    const { listCommitPackages } = await loadPackageDb();
    const packages = listCommitPackages(this.repoPath(), this.args.ref);
    if (!this.jsonEnabled()) {
      for (const pkg of packages) this.log(`${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`);
    }
    return packages.map(({ name, epoch, version, release, arch }) => ({ name, epoch, version, release, arch }));
  }
}
