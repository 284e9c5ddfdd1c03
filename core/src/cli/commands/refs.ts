import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';

export default class Refs extends ArborCommand<typeof Refs> {
  static override summary = 'List refs and the commits they point at, or delete one.';
  static override description = 'Remote refs are shown as REMOTE:NAME. Deleting a ref does not delete its commits; prune does.';
  static override examples = [
    { description: 'List refs', command: '<%= config.bin %> refs --repo /srv/repo' },
    { description: 'The refs of this machine\'s sysroot', command: '<%= config.bin %> refs --sysroot /' },
    { description: 'Delete a branch', command: '<%= config.bin %> refs --repo /srv/repo --delete os/old' },
  ];

  static override flags = {
    ...repoOrSysrootFlags,
    delete: Flags.string({ description: 'Delete this ref', helpValue: 'REF' }),
  };

  async run(): Promise<Record<string, string>> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const repo = Repo.open(this.repoPath());
    if (this.flags.delete !== undefined) repo.deleteRef(this.flags.delete);
    const refs = repo.listRefs();
    if (!this.jsonEnabled()) {
      if (this.flags.delete !== undefined) this.log(`deleted ${this.flags.delete}`);
      else for (const [ref, id] of Object.entries(refs)) this.log(`${ref} ${id}`);
    }
    return refs;
  }
}
