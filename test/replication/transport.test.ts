import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArborError } from '@arbor/core';
import { DEFAULT_HTTP_OPTIONS } from '@arbor/plugin-http';
import { HttpTransport } from '@arbor/plugin-http/transport';
import { FileTransport } from '@arbor/plugin-file';
import { useTempDir } from '../support/tempDir';
import { TestServer } from './TestServer';

const FAST = { ...DEFAULT_HTTP_OPTIONS, stallTimeoutMs: 300, connectTimeoutMs: 1000, retries: 2, retryDelayMs: 10 };

function hasCode(code: string) {
  return (error: ArborError) => {
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('the http transport', () => {
  let server: TestServer;
  let transport: HttpTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    await server?.stop();
  });

  it('keeps at most `concurrency` requests in flight, on reused keep-alive connections', async () => {
    server = new TestServer((request, response) => {
      setTimeout(() => response.end(`body of ${request.url}`), 5);
    });
    transport = new HttpTransport(await server.start(), { ...FAST, concurrency: 4 });
    const bodies = await Promise.all(Array.from({ length: 64 }, (_, i) => transport!.get(`objects/${i}`)));
    assert.equal(bodies[17].toString(), 'body of /objects/17');
    assert.equal(server.paths.length, 64);
    assert.equal(server.maxInFlight, 4);
    assert.ok(server.connections <= 4, `opened ${server.connections} connections for 64 requests`);
    assert.deepEqual(transport.stats, { requests: 64, bytes: bodies.reduce((sum, body) => sum + body.length, 0) });
  });

  it('retries a 503 and a reset connection, then succeeds', async () => {
    let calls = 0;
    server = new TestServer((request, response) => {
      calls++;
      if (calls === 1) return void response.writeHead(503).end();
      if (calls === 2) return void request.socket.destroy();
      response.end('finally');
    });
    transport = new HttpTransport(await server.start(), FAST);
    assert.equal((await transport.get('summary')).toString(), 'finally');
    assert.equal(calls, 3);
  });

  it('reports a 404 at once, without retrying', async () => {
    server = new TestServer((_request, response) => void response.writeHead(404).end());
    transport = new HttpTransport(await server.start(), FAST);
    await assert.rejects(transport.get('objects/ab/cd.file'), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_REMOTE_NOT_FOUND');
      assert.match(error.message, /objects\/ab\/cd\.file: not found \(HTTP 404\)$/);
      return true;
    });
    assert.equal(server.paths.length, 1);
  });

  it('gives up on a server that stalls mid-body, after its retries', async () => {
    server = new TestServer((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('x'.repeat(10));
    });
    transport = new HttpTransport(await server.start(), FAST);
    const started = Date.now();
    await assert.rejects(transport.get('objects/slow'), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_REMOTE_TIMEOUT');
      assert.match(error.message, /server stalled for 0\.3 s after 10 of 100 bytes/);
      return true;
    });
    assert.equal(server.paths.length, 3);
    assert.ok(Date.now() - started < 5000);
  });

  it('reports a body cut short of its Content-Length as truncated', async () => {
    server = new TestServer((request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('y'.repeat(400), () => request.socket.destroy());
    });
    transport = new HttpTransport(await server.start(), FAST);
    await assert.rejects(transport.get('objects/cut'), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_REMOTE_TRUNCATED');
      assert.match(error.message, /truncated body.* of 1000 bytes/);
      return true;
    });
  });

  it('refuses a declared oversize body without reading it, and cuts off an undeclared one', async () => {
    let sent = 0;
    server = new TestServer((request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-length': String(1 << 30) });
        response.write(Buffer.alloc(1 << 16));
        return;
      }
      // Chunked, no length: the client only learns the size by counting.
      response.writeHead(200);
      const chunk = Buffer.alloc(1 << 16);
      const pump = () => {
        while (sent < 1 << 28 && response.write(chunk)) sent += chunk.length;
        if (sent < 1 << 28) response.once('drain', pump);
      };
      response.on('close', () => response.removeAllListeners('drain'));
      pump();
    });
    transport = new HttpTransport(await server.start(), FAST);
    await assert.rejects(transport.get('declared', { maxBytes: 4096 }), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_REMOTE_TOO_LARGE');
      assert.match(error.message, /limit 4096 bytes, server sent 1073741824 bytes/);
      return true;
    });
    await assert.rejects(transport.get('chunked', { maxBytes: 1 << 20 }), hasCode('ARBOR_REMOTE_TOO_LARGE'));
    assert.ok(transport.stats.bytes < 4 << 20, `read ${transport.stats.bytes} bytes before cutting off`);
    assert.equal(server.paths.length, 2, 'an oversize body is an answer, not a transient failure');
  });

  it('says the server is unreachable when nothing listens', async () => {
    server = new TestServer(() => {});
    const url = await server.start();
    await server.stop();
    transport = new HttpTransport(url, FAST);
    await assert.rejects(transport.get('summary'), (error: ArborError) => {
      assert.equal(error.code, 'ARBOR_REMOTE_UNREACHABLE');
      assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/summary: /);
      return true;
    });
  });

  it('refuses paths that climb out of the remote', async () => {
    server = new TestServer((_request, response) => void response.end('no'));
    transport = new HttpTransport(await server.start(), FAST);
    await assert.rejects(transport.get('objects/../../etc/passwd'), hasCode('ARBOR_REMOTE_INVALID'));
    assert.equal(server.paths.length, 0);
  });
});

describe('the file transport', () => {
  const tmp = useTempDir('arbor-file-transport-');

  it('reads files under the mirror, with the same not-found and size answers as http', async () => {
    fs.mkdirSync(path.join(tmp(), 'objects', 'ab'), { recursive: true });
    fs.writeFileSync(path.join(tmp(), 'objects', 'ab', 'cd.file'), 'content');
    const transport = new FileTransport(pathToFileURL(tmp()).href);
    assert.equal((await transport.get('objects/ab/cd.file')).toString(), 'content');
    await assert.rejects(transport.get('objects/ab/missing.file'), hasCode('ARBOR_REMOTE_NOT_FOUND'));
    await assert.rejects(transport.get('objects/ab/cd.file', { maxBytes: 3 }), hasCode('ARBOR_REMOTE_TOO_LARGE'));
    await assert.rejects(transport.get('../outside'), hasCode('ARBOR_REMOTE_INVALID'));
    assert.deepEqual(transport.stats, { requests: 3, bytes: 7 });
  });
});
