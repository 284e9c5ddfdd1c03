import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { RemoteDescription } from '../../../remote/describeRemote';

export default class RemoteDelete extends ArborCommand<typeof RemoteDelete> {
  static override summary = 'Delete a remote. Refs already pulled from it stay under refs/remotes/NAME.';
  static override examples = [
    { description: 'Forget a remote', command: '<%= config.bin %> remote delete origin --repo /srv/repo' },
  ];

  static override args = {
    name: Args.string({ description: 'The remote to delete', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The repo', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot; its repo is SYSROOT/arbor/repo' }),
  };

  async run(): Promise<RemoteDescription> {
    const { repoPath } = require('../../../remote/repoPath.js') as typeof import('../../../remote/repoPath.js');
    const { deleteRemote } = require('../../../remote/RemoteConfig.js') as typeof import('../../../remote/RemoteConfig.js');
    const { describeRemote } = require('../../../remote/describeRemote.js') as typeof import('../../../remote/describeRemote.js');
    const remote = describeRemote(deleteRemote(repoPath(this.flags), this.args.name));
    if (!this.jsonEnabled()) this.log(`deleted remote ${remote.name}`);
    return remote;
  }
}
