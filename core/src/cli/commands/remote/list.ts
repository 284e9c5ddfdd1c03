import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { RemoteDescription } from '../../../remote/describeRemote';

export default class RemoteList extends ArborCommand<typeof RemoteList> {
  static override summary = 'List the remotes of a repo, with how each one is verified.';
  static override examples = [
    { description: 'One remote a line', command: '<%= config.bin %> remote list --repo /srv/repo' },
    { description: 'As JSON', command: '<%= config.bin %> remote list --sysroot / --json' },
  ];

  static override flags = {
    repo: Flags.string({ description: 'The repo', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot; its repo is SYSROOT/arbor/repo' }),
  };

  async run(): Promise<RemoteDescription[]> {
    const { repoPath } = require('../../../remote/repoPath.js') as typeof import('../../../remote/repoPath.js');
    const { listRemotes } = require('../../../remote/RemoteConfig.js') as typeof import('../../../remote/RemoteConfig.js');
    const { describeRemote } = require('../../../remote/describeRemote.js') as typeof import('../../../remote/describeRemote.js');
    const remotes = listRemotes(repoPath(this.flags)).map(describeRemote);
    if (!this.jsonEnabled()) {
      for (const remote of remotes) {
        this.log(`${remote.name}\t${remote.url}\t${remote.verify ? `key ${remote.keys.map((key) => key.slice(0, 16)).join(',')}` : 'no-verify'}`);
      }
    }
    return remotes;
  }
}
