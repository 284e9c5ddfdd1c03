import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './freePort';

/**
 * A real nginx serving one directory on a free loopback port, with its own minimal config and
 * prefix in a temp dir, so it touches nothing system-wide. It runs in the foreground
 * (`daemon off`) as our child, so stopping it is a signal to a pid we started. The access log
 * records every request path, which tests use to count what a client fetched.
 */
export class NginxServer {
  readonly prefix: string;
  port = 0;
  private child?: ChildProcess;

  constructor(readonly root: string, readonly options: { workers?: number } = {}) {
    this.prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-nginx-'));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<string> {
    this.port = await freePort();
    const conf = path.join(this.prefix, 'nginx.conf');
    const p = (name: string) => path.join(this.prefix, name);
    fs.writeFileSync(conf, [
      'daemon off;',
      // Workers would otherwise drop to `nobody`, who cannot enter 0700 temp dirs.
      'user root;',
      `worker_processes ${this.options.workers ?? 1};`,
      `pid ${p('nginx.pid')};`,
      `error_log ${p('error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${p('access.log')};`,
      `  client_body_temp_path ${p('body')}; proxy_temp_path ${p('proxy')}; fastcgi_temp_path ${p('fastcgi')};`,
      `  uwsgi_temp_path ${p('uwsgi')}; scgi_temp_path ${p('scgi')};`,
      '  default_type application/octet-stream;',
      '  sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 60s;',
      `  server { listen 127.0.0.1:${this.port}; root ${this.root}; location / { autoindex off; } }`,
      '}',
      '',
    ].join('\n'));
    const child = spawn('nginx', ['-c', conf, '-p', this.prefix, '-e', p('error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited (${code}): ${stderr}${readIfExists(p('error.log'))}`))));
    await Promise.race([waitForPort(this.port), exited]);
    return this.url;
  }

  /** Request paths from the access log, in the order nginx logged them. */
  requests(): string[] {
    return readIfExists(path.join(this.prefix, 'access.log'))
      .split('\n')
      .map((line) => /"GET ([^ ]+) HTTP/.exec(line)?.[1])
      .filter((value): value is string => Boolean(value));
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null) {
      const exit = new Promise((resolve) => child.once('exit', resolve));
      // SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
      child.kill('SIGTERM');
      await exit;
    }
    fs.rmSync(this.prefix, { recursive: true, force: true });
  }
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}


async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port}`);
}
