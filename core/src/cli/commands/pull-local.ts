import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import type { PullLocalResult } from '../../remote/pullLocal';

export default class PullLocal extends ArborCommand<typeof PullLocal> {
  static override summary = 'Copy commits from a local repo of any mode (bare, user, archive) into a repo or a sysroot, verified like a pull.';
  static override description = 'Every object is re-hashed against its ID; with --remote or --verify-key each commit must carry a valid signature before any of its tree is read; a ref moves only once its whole commit is stored. Refs land as REF, or REMOTE:REF with --remote. With no REF, every branch of SOURCE is pulled.';
  static override strict = false;
  static override usage = 'pull-local SOURCE [REF...] (--repo DEST | --sysroot S) [--remote NAME | --verify-key PUBFILE] [--depth N]';
  static override examples = [
    { description: 'Deploy what a compose just made: into the sysroot\'s repo, then deploy', command: '<%= config.bin %> pull-local /srv/compose os/x86_64 --sysroot /mnt/sysroot\n<%= config.bin %> deploy os/x86_64 --sysroot /mnt/sysroot' },
    { description: 'From an archive repo into a bare one, requiring a signature by a key', command: '<%= config.bin %> pull-local /srv/archive os/x86_64 --repo /srv/bare --verify-key release.pub' },
    { description: 'As if pulled from remote origin: its keys apply, and upgrade follows origin:os/x86_64', command: '<%= config.bin %> pull-local /media/usb/repo os/x86_64 --sysroot / --remote origin' },
  ];

  static override args = {
    source: Args.string({ description: 'The repo to copy from (any mode)', required: true }),
    ref: Args.string({ description: 'Branches to copy (or full commit IDs); all branches when none is given' }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The repo to copy into', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot; its repo is SYSROOT/arbor/repo' }),
    remote: Flags.string({ description: 'Check signatures with this remote\'s keys, and write refs as REMOTE:REF' }),
    'verify-key': Flags.string({ description: 'Require every commit to be signed by this public key (.pub)' }),
    depth: Flags.integer({ description: 'Parent commits to copy too (-1: all history)', default: 0, min: -1 }),
    'allow-downgrade': Flags.boolean({ description: 'Accept a commit older than the one the ref has' }),
  };

  async run(): Promise<PullLocalResult> {
    const { repoPath } = require('../../remote/repoPath.js') as typeof import('../../remote/repoPath.js');
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { pullLocal } = require('../../remote/pullLocal.js') as typeof import('../../remote/pullLocal.js');
    const { formatBytes } = require('../../formatBytes.js') as typeof import('../../formatBytes.js');
    const { argv } = await this.parse(PullLocal);
    const refs = (argv as string[]).slice(1);
    const repo = Repo.open(repoPath(this.flags));
    const { arbor } = await this.loadArbor();
    const result = await pullLocal(repo, this.args.source, {
      arbor,
      refs,
      remote: this.flags.remote,
      verifyKeyFile: this.flags['verify-key'],
      depth: this.flags.depth,
      allowDowngrade: this.flags['allow-downgrade'],
    });
    if (!this.jsonEnabled()) {
      for (const pulled of result.refs) {
        const where = pulled.ref ?? pulled.commit;
        if (!pulled.changed && pulled.fetched.objects <= pulled.commits) this.log(`${where} is up to date (${pulled.commit})`);
        else this.log(`${where} -> ${pulled.commit} (${pulled.fetched.objects} objects, ${formatBytes(pulled.fetched.bytes)})`);
      }
    }
    return result;
  }
}
