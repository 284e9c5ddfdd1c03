import fs from 'node:fs';
import path from 'node:path';
import { TestServer } from './TestServer';

/** The ways a server can misbehave on the first file object a client asks for. */
export type Misbehavior = 'corrupt' | 'truncate' | 'missing' | 'stall' | 'huge';

/**
 * A static server for a repo directory that, when told to, misbehaves on purpose: on the first
 * `.filez` requested (the victim) it flips a byte of the object's header, cuts the body short,
 * answers 404, stops sending halfway, or sends 512 MiB where a small object belongs. Everything
 * else is served faithfully, so each failure is the one under test.
 */
export class HostileRepoServer extends TestServer {
  misbehavior?: Misbehavior;
  /** The request path the misbehavior hit. */
  victim?: string;
  /** After this many file objects were sent, hold every further one unanswered (a stuck pull). */
  holdAfter?: number;
  /** File objects sent in full. */
  filesSent = 0;

  constructor(readonly root: string) {
    super((request, response) => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
      const file = path.join(this.root, ...pathname.split('/').filter((part) => part && part !== '..'));
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch {
        return void response.writeHead(404, { 'content-length': '0' }).end();
      }
      if (pathname.endsWith('.filez')) {
        if (this.holdAfter !== undefined && this.filesSent >= this.holdAfter) return;
        response.once('finish', () => this.filesSent++);
      }
      const hit = this.misbehavior && pathname.endsWith('.filez') && (this.victim === undefined || this.victim === pathname);
      if (!hit) return void response.writeHead(200, { 'content-length': String(bytes.length) }).end(bytes);
      this.victim = pathname;
      switch (this.misbehavior) {
        case 'corrupt': {
          // Byte 12 is the low byte of the uid in the file header ("arbf" u8 u32 mode u32 uid):
          // still a well-formed object, just not the one its ID names.
          const forged = Buffer.from(bytes);
          forged[12] ^= 1;
          return void response.writeHead(200, { 'content-length': String(forged.length) }).end(forged);
        }
        case 'truncate':
          response.writeHead(200, { 'content-length': String(bytes.length) });
          return void response.write(bytes.subarray(0, bytes.length >> 1), () => request.socket.destroy());
        case 'missing':
          return void response.writeHead(404, { 'content-length': '0' }).end();
        case 'stall':
          response.writeHead(200, { 'content-length': String(bytes.length) });
          return void response.write(bytes.subarray(0, bytes.length >> 1));
        case 'huge': {
          const size = 512 << 20;
          response.writeHead(200, { 'content-length': String(size) });
          const chunk = Buffer.alloc(1 << 16);
          let sent = 0;
          const pump = (): void => {
            while (sent < size && response.write(chunk)) sent += chunk.length;
            if (sent < size && !response.destroyed) response.once('drain', pump);
          };
          response.on('close', () => response.removeAllListeners('drain'));
          return pump();
        }
      }
    });
  }
}
