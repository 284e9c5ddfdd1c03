import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';

export default class Init extends ArborCommand<typeof Init> {
  static override summary = 'Create a repository.';
  static override description = 'bare keeps real owners, modes and xattrs on its objects (needs root); user keeps them in a user.* xattr (any user); archive compresses objects so any static HTTP server can serve the directory. Running it again on a repo of the same mode does nothing.';
  static override examples = [
    { description: 'A bare repo (the default as root)', command: '<%= config.bin %> init --repo /srv/repo' },
    { description: 'A repo to serve over HTTP', command: '<%= config.bin %> init --repo /srv/www/repo --mode archive' },
  ];

  static override flags = {
    repo: repoFlag,
    mode: Flags.string({ description: 'bare (default as root), user (default otherwise) or archive', options: ['bare', 'user', 'archive'] }),
  };

  async run(): Promise<{ repo: string; mode: string }> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const repo = Repo.init(this.flags.repo, { mode: this.flags.mode as 'bare' | 'user' | 'archive' | undefined });
    if (!this.jsonEnabled()) this.log(`${repo.mode} repo at ${repo.path}`);
    return { repo: repo.path, mode: repo.mode };
  }
}
