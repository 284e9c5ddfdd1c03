import path from 'node:path';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { repoFlag } from '../RepoFlags';
import type { CommitTreeResult } from '../../store/commitTree';

export default class Commit extends ArborCommand<typeof Commit> {
  static override summary = 'Commit a directory tree to a branch; prints the commit ID.';
  static override description = 'Owners, modes, symlinks, hardlinks and all xattrs are kept; device nodes, sockets and fifos are refused. The parent is the branch\'s current commit. Files hardlinked from a checkout of the same repo are not read again.';
  static override examples = [
    { description: 'Commit a tree', command: '<%= config.bin %> commit --repo /srv/repo --branch os/x86_64/stable --tree /tmp/rootfs --subject "v42"' },
    { description: 'Labeled for SELinux', command: '<%= config.bin %> commit --repo /srv/repo --branch os/stable --tree ./rootfs --file-contexts ./rootfs/etc/selinux/targeted/contexts/files/file_contexts' },
    { description: 'With metadata', command: '<%= config.bin %> commit --repo /srv/repo --branch os/stable --tree ./rootfs --metadata version=42 --metadata builder=ci' },
  ];

  static override flags = {
    repo: repoFlag,
    branch: Flags.string({ description: 'The ref to move to the new commit', required: true }),
    tree: Flags.string({ description: 'The directory to commit', required: true }),
    subject: Flags.string({ description: 'One-line subject' }),
    body: Flags.string({ description: 'Longer message' }),
    metadata: Flags.string({ description: 'KEY=VALUE recorded in the commit (repeatable)', multiple: true }),
    'sign-key': Flags.string({ description: 'Sign the commit with this key (a key file a signing plugin reads, e.g. from `arbor key generate`)' }),
    'file-contexts': Flags.string({ description: 'Label every entry from this SELinux file_contexts (needs a labeling plugin such as selinux)' }),
  };

  async run(): Promise<CommitTreeResult> {
    const metadata = parseMetadata(this.flags.metadata ?? []);
    const { arbor } = await this.loadArbor();
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { commitTree } = require('../../store/commitTree.js') as typeof import('../../store/commitTree.js');
    const result = await commitTree(arbor, Repo.open(this.flags.repo), {
      tree: this.flags.tree,
      branch: this.flags.branch,
      subject: this.flags.subject,
      body: this.flags.body,
      metadata,
      signKey: this.flags['sign-key'],
      ...(this.flags['file-contexts'] ? { label: { fileContexts: path.resolve(this.flags['file-contexts']) } } : {}),
    });
    if (!this.jsonEnabled()) this.log(result.commit);
    return result;
  }
}

function parseMetadata(pairs: string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) {
      // An oclif-style usage error: exit code 2.
      throw Object.assign(new Error(`--metadata "${pair}" is not KEY=VALUE`), { oclif: { exit: 2 } });
    }
    metadata[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return metadata;
}
