import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void | Promise<void>;

/**
 * A node:http server on 127.0.0.1 whose behavior each test writes, and which records what
 * clients did: every path requested, the connections opened and the most requests in flight
 * at once. Hostile cases are handlers that misbehave on purpose.
 */
export class TestServer {
  readonly paths: string[] = [];
  connections = 0;
  maxInFlight = 0;
  private inFlight = 0;
  private readonly server: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(public handler: Handler) {
    this.server = http.createServer((request, response) => {
      this.paths.push(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      response.on('close', () => this.inFlight--);
      Promise.resolve(this.handler(request, response)).catch((error) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
    this.server.on('connection', (socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
