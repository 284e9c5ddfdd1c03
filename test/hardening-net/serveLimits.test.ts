import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RepoServer } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { ARBOR_BIN } from '../support/runArbor';

const OBJECT = 'objects/ab/cdef.filez';

/**
 * `arbor serve` against clients that hold resources: many half-sent request heads (slowloris),
 * more connections than the cap, a client that never reads its response, and symlinks planted
 * in the repo. All on 127.0.0.1, with limits small enough that every case ends in seconds.
 */
describe('arbor serve limits what one client can hold', function () {
  this.timeout(30_000);
  let dir: string;
  let repo: string;
  const servers: RepoServer[] = [];
  const sockets: net.Socket[] = [];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-serve-limits-'));
    repo = path.join(dir, 'repo');
    fs.mkdirSync(path.join(repo, 'objects/ab'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'remotes.d'));
    fs.writeFileSync(path.join(repo, 'config'), 'mode=archive\n');
    fs.writeFileSync(path.join(repo, OBJECT), Buffer.alloc(16 << 20, 7));
    fs.writeFileSync(path.join(repo, 'remotes.d/secret'), 'password=hunter2\n');
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    for (const server of servers.splice(0)) await server.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function serve(limits: ConstructorParameters<typeof RepoServer>[0]['limits']): Promise<{ server: RepoServer; port: number }> {
    const server = new RepoServer({ repo, limits });
    servers.push(server);
    const url = await server.listen();
    return { server, port: Number(new URL(url).port) };
  }

  function connect(port: number): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(socket)).once('error', reject);
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
  }

  it('closes connections that drip a request head, and still serves a real client', async () => {
    const { server, port } = await serve({ maxConnections: 64, headersTimeoutMs: 800 });
    const loris = await Promise.all(Array.from({ length: 200 }, () => connect(port)));
    const closed = loris.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    const drip = setInterval(() => {
      for (const socket of loris) if (!socket.destroyed) socket.write('X-a: b\r\n'.slice(0, 1));
    }, 100);
    for (const socket of loris) socket.write('GET /config HTTP/1.1\r\nHost: x\r\n');
    try {
      const started = Date.now();
      assert.equal(await get(port, '/config'), 200);
      assert.ok(Date.now() - started < 2_000, `the real client waited ${Date.now() - started} ms`);
      await withDeadline(Promise.all(closed), 4_000, 'every dripping connection is closed');
      const deadline = Date.now() + 1_000;
      while (server.openConnections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.openConnections, 0);
    } finally {
      clearInterval(drip);
    }
  });

  it('closes the longest-idle connection at the cap, so a newcomer gets in', async () => {
    const { server, port } = await serve({ maxConnections: 20, headersTimeoutMs: 10_000 });
    const idle: net.Socket[] = [];
    for (let i = 0; i < 40; i++) idle.push(await connect(port));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(server.openConnections <= 20, `${server.openConnections} connections open`);
    assert.ok(idle.filter((socket) => socket.destroyed || socket.readableEnded).length >= 20, 'the 20 oldest were closed');
    assert.equal(await get(port, '/config'), 200);
  });

  it('cuts off a client that stops reading its response, and closes the file', async () => {
    const { server, port } = await serve({ idleTimeoutMs: 1_000, minBytesPerSecond: 64 * 1024, throughputWindowMs: 500 });
    const socket = await connect(port);
    socket.write(`GET /${OBJECT} HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(server.openConnections, 1);
    assert.ok(openFilesOf(path.join(repo, OBJECT)) >= 1, 'the server holds the object open while it sends');
    const deadline = Date.now() + 5_000;
    while (server.openConnections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.openConnections, 0, 'the slow reader was cut off');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(openFilesOf(path.join(repo, OBJECT)), 0, 'its file handle is closed');
  });

  it('serves nothing through a symlink planted in the repo', async () => {
    fs.symlinkSync('../remotes.d', path.join(repo, 'objects/zz'));
    fs.symlinkSync('../../remotes.d/secret', path.join(repo, 'objects/ab/link.filez'));
    try {
      const { port } = await serve({});
      assert.equal(await get(port, '/objects/zz/secret'), 404);
      assert.equal(await get(port, '/objects/ab/link.filez'), 404);
      assert.equal(await get(port, '/remotes.d/secret'), 404);
      assert.equal(await get(port, `/${OBJECT}`), 200);
    } finally {
      fs.rmSync(path.join(repo, 'objects/zz'));
      fs.rmSync(path.join(repo, 'objects/ab/link.filez'));
    }
  });

  it('takes its limits as flags', async () => {
    const archive = path.join(dir, 'archive');
    Repo.init(archive, { mode: 'archive' });
    const child = spawn(process.execPath, [ARBOR_BIN, 'serve', '--repo', archive, '--port', '0', '--max-connections', '8', '--headers-timeout', '500', '--idle-timeout', '1000', '--min-rate', '10', '--rate-window', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('\n')) resolve(out.trim());
        });
        child.once('close', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(/:(\d+)$/.exec(line)![1]);
      const socket = await connect(port);
      socket.write('GET /config HTTP/1.1\r\n');
      await withDeadline(new Promise((resolve) => socket.once('close', resolve)), 3_000, 'the half-sent head is cut off after --headers-timeout');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

function get(port: number, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error(`GET ${pathname} timed out`)));
  });
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** How many of this process's descriptors are open on `file`. */
function openFilesOf(file: string): number {
  let count = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}
