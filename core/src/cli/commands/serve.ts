import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';

export default class Serve extends ArborCommand<typeof Serve> {
  static override summary = 'Serve an archive repo read-only over HTTP, as any static server would.';
  static override description = 'Prints "listening on http://HOST:PORT" once ready (with --json, {"url": ...}) and serves until interrupted. Binds to loopback unless told otherwise.';
  static override examples = [
    { description: 'On a fixed port', command: '<%= config.bin %> serve --repo /srv/repo --port 8080' },
    { description: 'On every interface', command: '<%= config.bin %> serve --repo /srv/repo --host 0.0.0.0 --port 8080' },
    { description: 'With tighter client limits', command: '<%= config.bin %> serve --repo /srv/repo --max-connections 128 --headers-timeout 5000 --idle-timeout 15000' },
  ];

  static override flags = {
    repo: Flags.string({ description: 'The archive repo to serve', required: true }),
    host: Flags.string({ description: 'Address to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'Port to listen on (0: any free port)', default: 0, min: 0, max: 65535 }),
    'max-connections': Flags.integer({ description: 'Open connections at once; at the cap the longest-idle one is closed (default 512)', min: 1 }),
    'headers-timeout': Flags.integer({ description: 'Milliseconds a client may take to send a request head (default 10000)', min: 1 }),
    'idle-timeout': Flags.integer({ description: 'Milliseconds a connection may make no progress (default 30000)', min: 1 }),
    'min-rate': Flags.integer({ description: 'Bytes per second a client must read a response at, over each --rate-window (default 1024; 0: off)', min: 0 }),
    'rate-window': Flags.integer({ description: 'Milliseconds over which --min-rate is averaged (default 30000)', min: 1 }),
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
    const { flags } = this;
    const limits = Object.fromEntries(Object.entries({
      maxConnections: flags['max-connections'],
      headersTimeoutMs: flags['headers-timeout'],
      idleTimeoutMs: flags['idle-timeout'],
      minBytesPerSecond: flags['min-rate'],
      throughputWindowMs: flags['rate-window'],
    }).filter(([, value]) => value !== undefined));
    const server = new RepoServer({ repo: repo.path, host: flags.host, port: flags.port, limits });
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
