import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';

export default class Serve extends ArborCommand<typeof Serve> {
  static override summary = 'Serve an archive repo read-only over HTTP, as any static server would.';
  static override description = 'Prints "listening on http://HOST:PORT" once ready (with --json, {"url": ...}) and serves until interrupted. Binds to loopback unless told otherwise.';
  static override examples = [
    { description: 'On a fixed port', command: '<%= config.bin %> serve --repo /srv/repo --port 8080' },
    { description: 'On every interface', command: '<%= config.bin %> serve --repo /srv/repo --host 0.0.0.0 --port 8080' },
  ];

  static override flags = {
    repo: Flags.string({ description: 'The archive repo to serve', required: true }),
    host: Flags.string({ description: 'Address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'Port to listen on (0: any free port)', default: 0, min: 0, max: 65535 }),
  };

  async run(): Promise<undefined> {
    const { Repo } = require('../../store/Repo.js') as typeof import('../../store/Repo.js');
    const { RepoServer } = require('../../remote/RepoServer.js') as typeof import('../../remote/RepoServer.js');
    const { ArborError } = require('../../errors/ArborError.js') as typeof import('../../errors/ArborError.js');
    const { ErrorCode } = require('../../errors/codes.js') as typeof import('../../errors/codes.js');
    const repo = Repo.open(this.flags.repo);
    if (repo.mode !== 'archive') {
      throw new ArborError(ErrorCode.USAGE, `${repo.path} is a ${repo.mode} repo; only archive repos can be served`, {
        hint: 'Pull into an archive repo with --mirror, or commit into one made with `arbor init --mode archive`',
      });
    }
    const server = new RepoServer({ repo: repo.path, host: this.flags.host, port: this.flags.port });
    const url = await server.listen();
    // stdout gets exactly one line (or one JSON document), flushed now: scripts wait for it.
    process.stdout.write(this.jsonEnabled() ? `${JSON.stringify({ url })}\n` : `listening on ${url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return undefined;
  }
}
