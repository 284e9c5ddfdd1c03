import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { repoOrSysrootFlags } from '../RepoFlags';

export default class Cat extends ArborCommand<typeof Cat> {
  static override summary = 'Print a file of a commit, byte for byte (checked against its object ID).';
  static override examples = [
    { description: 'Read os-release', command: '<%= config.bin %> cat --repo /srv/repo os/stable /usr/lib/os-release' },
  ];

  static override args = {
    ref: Args.string({ description: 'A ref, a commit ID or prefix, optionally with ^', required: true }),
    path: Args.string({ description: 'A regular file inside the commit', required: true }),
  };

  static override flags = { ...repoOrSysrootFlags };

  async run(): Promise<{ commit: string; id: string; size: number; encoding: 'utf8' | 'base64'; content: string }> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { readTreeFile } = require('../../store/readTreeFile.js') as typeof import('../../store/readTreeFile.js');
    const file = readTreeFile(Repo.open(this.repoPath()), this.args.ref, this.args.path);
    if (!this.jsonEnabled()) {
      await new Promise<void>((resolve, reject) => process.stdout.write(file.content, (error) => (error ? reject(error) : resolve())));
    }
    const text = file.content.toString('utf8');
    const isText = Buffer.from(text, 'utf8').equals(file.content);
    return { commit: file.commit, id: file.id, size: file.meta.size, encoding: isText ? 'utf8' : 'base64', content: isText ? text : file.content.toString('base64') };
  }
}
