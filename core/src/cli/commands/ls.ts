import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';
import type { ListedEntry } from '../../store/listTree';

export default class Ls extends ArborCommand<typeof Ls> {
  static override summary = 'List a commit\'s tree: type, mode, uid, gid, size, ID and path, one entry a line.';
  static override examples = [
    { description: 'The top of the tree', command: '<%= config.bin %> ls --repo /srv/repo os/stable' },
    { description: 'Everything under /usr/bin', command: '<%= config.bin %> ls --repo /srv/repo os/stable /usr/bin -R' },
    { description: 'In this machine\'s sysroot', command: '<%= config.bin %> ls --sysroot / origin:os/stable /usr/lib' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, a commit ID or prefix, optionally with ^', required: true }),
    path: Args.string({ description: 'A path inside the commit', default: '/' }),
  };

  static override flags = {
    ...repoOrSysrootFlags,
    recursive: Flags.boolean({ char: 'R', description: 'List subdirectories too', default: false }),
  };

  async run(): Promise<ListedEntry[]> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { listTree } = require('../../store/listTree.js') as typeof import('../../store/listTree.js');
    const repo = Repo.open(this.repoPath());
    const entries = listTree(repo, repo.resolveRev(this.args.ref), this.args.path, { recursive: this.flags.recursive });
    if (!this.jsonEnabled()) {
      for (const entry of entries) {
        const mode = entry.mode.toString(8).padStart(4, '0');
        this.log(`${entry.type} ${mode} ${entry.uid} ${entry.gid} ${entry.size} ${entry.id} ${entry.path}${entry.target !== undefined ? ` -> ${entry.target}` : ''}`);
      }
    }
    return entries;
  }
}
