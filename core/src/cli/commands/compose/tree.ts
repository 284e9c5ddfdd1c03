import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { ComposeResult } from '../../../compose/composeTree';

export default class ComposeTreeCommand extends ArborCommand<typeof ComposeTreeCommand> {
  static override summary = 'Compose a tree from RPM repositories, as a treefile describes it, and commit it to a ref.';
  static override examples = [
    { description: 'Compose and commit', command: '<%= config.bin %> compose tree fedora-base.yaml --repo /srv/repo' },
    { description: 'Keep downloads between composes', command: '<%= config.bin %> compose tree fedora-base.yaml --repo /srv/repo --cache-dir /var/cache/arbor' },
    { description: 'Compose and sign the commit', command: '<%= config.bin %> compose tree fedora-base.yaml --repo /srv/repo --sign-key /etc/arbor/signing.key' },
    { description: 'Only show the packages it would install', command: '<%= config.bin %> compose tree fedora-base.yaml --repo /srv/repo --dry-run' },
  ];

  static override args = {
    treefile: Args.string({ description: 'The treefile (YAML or JSON)', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The Arbor repo to commit into', required: true }),
    'cache-dir': Flags.string({ description: 'Where repo metadata and packages are cached, keyed by checksum' }),
    'dry-run': Flags.boolean({ description: 'Resolve and print the package set; download, install and commit nothing' }),
    'sign-key': Flags.string({ description: 'Sign the new commit with this ed25519 private key (from `arbor key generate`)' }),
  };

  async run(): Promise<Pick<ComposeResult, 'commit' | 'ref' | 'changed' | 'version' | 'skippedScriptlets'> & { packages: { name: string; epoch: number; version: string; release: string; arch: string }[] }> {
    const { arbor } = await this.loadArbor();
    const { composeTree } = require('../../../compose/composeTree.js') as typeof import('../../../compose/composeTree.js');
    const result = await composeTree(arbor, {
      treefile: this.args.treefile,
      repo: this.flags.repo,
      cacheDir: this.flags['cache-dir'],
      dryRun: this.flags['dry-run'],
      signKey: this.flags['sign-key'],
    });
    if (!this.jsonEnabled()) {
      if (result.dryRun) {
        for (const pkg of result.packages) this.log(`${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch} (${pkg.repo})`);
        this.log(`${result.packages.length} packages for ${result.ref}`);
      } else if (!result.changed) {
        this.log(`No changes: ${result.ref} is ${result.commit}`);
      } else {
        this.log(result.commit!);
      }
    }
    return {
      commit: result.commit,
      ref: result.ref,
      changed: result.changed,
      ...(result.version ? { version: result.version } : {}),
      packages: result.packages.map(({ name, epoch, version, release, arch }) => ({ name, epoch, version, release, arch })),
      skippedScriptlets: result.skippedScriptlets,
    };
  }
}
