import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';

export default class Sign extends ArborCommand<typeof Sign> {
  static override summary = 'Sign an existing commit; prints the key ID.';
  static override description = 'Adds a signature to the commit\'s detached signature object, through the signing plugin that handles the key\'s type. Signing again with the same key replaces its signature; other keys\' signatures stay. Clients that require the key can then pull the commit; update the summary (arbor summary) if it is signed too.';
  static override examples = [
    { description: 'Sign the head of a branch', command: '<%= config.bin %> sign os/stable --repo /srv/repo --sign-key /etc/arbor/signing.key' },
    { description: 'Co-sign a commit by ID prefix with a second key', command: '<%= config.bin %> sign 3f2a9c81 --repo /srv/repo --sign-key ./next.key' },
  ];

  static override args = {
    rev: Args.string({ description: 'The commit: a ref, an ID or unique prefix, or REF^', required: true }),
  };

  static override flags = {
    repo: repoFlag,
    'sign-key': Flags.string({ description: 'The key: a private key file (e.g. from `arbor key generate`), or <type>:<id>', required: true }),
  };

  async run(): Promise<{ commit: string; keyId: string; algorithm: string }> {
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { signCommit } = require('../../signing/signCommit.js') as typeof import('../../signing/signCommit.js');
    const repo = Repo.open(this.flags.repo);
    const result = await signCommit(arbor, repo, repo.resolveRev(this.args.rev), this.flags['sign-key'], arbor.context({ repo }));
    if (!this.jsonEnabled()) this.log(`signed ${result.commit} with ${result.algorithm} key ${result.keyId}`);
    return result;
  }
}
