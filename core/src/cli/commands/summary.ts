import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import type { Signature } from '../../hooks';
import type { WriteSummaryResult } from '../../remote/writeSummary';

export default class SummaryCommand extends ArborCommand<typeof SummaryCommand> {
  static override summary = 'Write the repo\'s summary: the index of branches that clients read first.';
  static override description = 'Run it after each commit on a server. With --sign-key the summary is signed (summary.sig), which remotes added with --verify-key require. Archive repos also get a size index per branch head, so clients know the download size before they start.';
  static override examples = [
    { description: 'Sign the summary', command: '<%= config.bin %> summary --repo /srv/repo --sign-key /etc/arbor/signing.key' },
  ];

  static override flags = {
    repo: Flags.string({ description: 'The repo', required: true }),
    'sign-key': Flags.string({ description: 'A key a signing plugin reads, e.g. a private key file from `arbor key generate`' }),
  };

  async run(): Promise<WriteSummaryResult> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { writeSummary } = require('../../remote/writeSummary.js') as typeof import('../../remote/writeSummary.js');
    const key = this.flags['sign-key'];
    const repo = Repo.open(this.flags.repo);
    let sign: ((data: Buffer) => Promise<Signature>) | undefined;
    if (key) {
      const { arbor } = await this.loadArbor();
      const { signData } = require('../../signing/signData.js') as typeof import('../../signing/signData.js');
      const context = arbor.context({ repo });
      sign = (data) => signData(arbor, { key, data, what: 'the summary' }, context);
    }
    const result = await writeSummary(repo, { sign });
    if (!this.jsonEnabled()) {
      for (const [name, ref] of Object.entries(result.refs)) this.log(`${name} ${ref.commit}`);
      this.log(result.signed ? 'summary signed' : 'summary written, unsigned');
    }
    return result;
  }
}
