import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import type { RemoteDescription } from '../../../remote/describeRemote';

export default class RemoteAdd extends ArborCommand<typeof RemoteAdd> {
  static override summary = 'Add a remote: a URL to pull from, and the key its commits must be signed with.';
  static override examples = [
    { description: 'A signed remote', command: '<%= config.bin %> remote add origin http://updates.example.com/repo --repo /srv/repo --verify-key signing.key.pub' },
    { description: 'On a sysroot', command: '<%= config.bin %> remote add origin http://10.0.0.1:8080 --sysroot /mnt/sysroot --verify-key signing.key.pub' },
    { description: 'A local mirror, unsigned content accepted', command: '<%= config.bin %> remote add usb file:///media/usb/repo --repo /srv/repo --no-verify' },
  ];

  static override args = {
    name: Args.string({ description: 'Remote name: letters, digits, ".", "_", "-"', required: true }),
    url: Args.string({ description: 'http://, https:// or file:// URL of an archive repo', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The repo to add the remote to', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot; its repo is SYSROOT/arbor/repo' }),
    'verify-key': Flags.string({ description: 'Public key file (KEYFILE.pub); commits and summaries must be signed by it', exactlyOne: ['verify-key', 'no-verify'] }),
    'no-verify': Flags.boolean({ description: 'Accept unsigned content from this remote (pull warns each time)' }),
  };

  async run(): Promise<RemoteDescription> {
    const { repoPath } = require('../../../remote/repoPath.js') as typeof import('../../../remote/repoPath.js');
    const { addRemote } = require('../../../remote/RemoteConfig.js') as typeof import('../../../remote/RemoteConfig.js');
    const { describeRemote } = require('../../../remote/describeRemote.js') as typeof import('../../../remote/describeRemote.js');
    const remote = describeRemote(addRemote(repoPath(this.flags), {
      name: this.args.name,
      url: this.args.url,
      verifyKeyFile: this.flags['verify-key'],
      noVerify: this.flags['no-verify'],
    }));
    if (!this.jsonEnabled()) this.log(`added remote ${remote.name} ${remote.url} (${remote.verify ? `verified by key ${remote.keys[0].slice(0, 16)}` : 'NOT verified'})`);
    return remote;
  }
}
