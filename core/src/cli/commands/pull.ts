import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import type { PullResult } from '../../remote/pull';

export default class Pull extends ArborCommand<typeof Pull> {
  static override summary = 'Fetch a ref from a remote: verified, only the missing objects, resumable.';
  static override description = 'The commit must pass the remote\'s signature policy before any of its tree is fetched; every object is checked against its ID; refs/remotes/NAME/REF moves only once the whole commit is stored.';
  static override examples = [
    { description: 'Pull a branch', command: '<%= config.bin %> pull --repo /srv/repo origin os/x86_64/stable' },
    { description: 'With 5 commits of history', command: '<%= config.bin %> pull --repo /srv/repo origin os/x86_64/stable --depth 5' },
    { description: 'Make a mirror to serve again (archive repo)', command: '<%= config.bin %> pull --repo /srv/mirror origin os/x86_64/stable --mirror' },
  ];

  static override args = {
    remote: Args.string({ description: 'The remote (see `arbor remote list`)', required: true }),
    ref: Args.string({ description: 'A branch on the remote, or a full commit ID', required: true }),
  };

  static override flags = {
    repo: Flags.string({ description: 'The repo to pull into', exactlyOne: ['repo', 'sysroot'] }),
    sysroot: Flags.string({ description: 'A sysroot; its repo is SYSROOT/arbor/repo' }),
    depth: Flags.integer({ description: 'Parent commits to fetch too (-1: all history)', default: 0, min: -1 }),
    mirror: Flags.boolean({ description: 'Write refs/heads/REF and keep the summary and size index, to serve this repo again' }),
    'allow-downgrade': Flags.boolean({ description: 'Accept a commit older than the one the ref has' }),
    'max-object-size': Flags.string({ description: 'Refuse a file object claiming more content than this (e.g. 64G, the default)' }),
    'max-temp-size': Flags.string({ description: 'Stop when the pull would stage more than this (default: the free space)' }),
  };

  async run(): Promise<PullResult> {
    const { repoPath } = require('../../remote/repoPath.js') as typeof import('../../remote/repoPath.js');
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { pull } = require('../../remote/pull.js') as typeof import('../../remote/pull.js');
    const { formatBytes } = require('../../formatBytes.js') as typeof import('../../formatBytes.js');
    const { parseByteSize } = require('../../remote/parseByteSize.js') as typeof import('../../remote/parseByteSize.js');
    const size = (flag: 'max-object-size' | 'max-temp-size') => (this.flags[flag] === undefined ? undefined : parseByteSize(this.flags[flag], `--${flag}`));
    const repo = Repo.open(repoPath(this.flags));
    const { arbor } = await this.loadArbor();
    const result = await pull(repo, this.args.remote, this.args.ref, {
      arbor,
      depth: this.flags.depth,
      mirror: this.flags.mirror,
      allowDowngrade: this.flags['allow-downgrade'],
      maxObjectBytes: size('max-object-size'),
      maxTempBytes: size('max-temp-size'),
    });
    if (!this.jsonEnabled()) {
      const where = result.ref ?? result.commit;
      if (!result.changed && result.fetched.objects <= result.commits) this.log(`${where} is up to date (${result.commit})`);
      else this.log(`${where} -> ${result.commit} (${result.fetched.objects} objects, ${formatBytes(result.fetched.bytes)} in ${result.fetched.requests} requests)`);
    }
    return result;
  }
}
