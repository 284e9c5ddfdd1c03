import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import type { WriteSummaryResult } from '../../remote/writeSummary';

export default class SummaryCommand extends ArborCommand<typeof SummaryCommand> {
  static override summary = 'Write the repo\'s summary: the index of branches that clients read first.';
  static override description = 'Run it after each commit on a server. With --sign-key the summary is signed (summary.sig), which remotes added with --verify-key require. Archive repos also get a size index per branch head, so clients know the download size before they start.';
  static override examples = [
    { description: 'Sign the summary', command: '<%= config.bin %> summary --repo /srv/repo --sign-key /etc/arbor/signing.key' },
  ];

  static override flags = {
    repo: Flags.string({ description: 'The repo', required: true }),
    'sign-key': Flags.string({ description: 'Private key file from `arbor key generate`' }),
  };

  async run(): Promise<WriteSummaryResult> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { writeSummary } = require('../../remote/writeSummary.js') as typeof import('../../remote/writeSummary.js');
    const result = writeSummary(Repo.open(this.flags.repo), { signKey: this.flags['sign-key'] });
    if (!this.jsonEnabled()) {
      for (const [name, ref] of Object.entries(result.refs)) this.log(`${name} ${ref.commit}`);
      this.log(result.signed ? 'summary signed' : 'summary written, unsigned');
    }
    return result;
  }
}
