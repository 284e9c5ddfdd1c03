import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RepoServer } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

describe('arbor serve', () => {
  const tmp = useTempDir('arbor-serve-');
  let server: RepoServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(): Promise<{ url: string; repo: string }> {
    const repo = path.join(tmp(), 'repo');
    Repo.init(repo, { mode: 'archive' });
    fs.mkdirSync(path.join(repo, 'objects/ab'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'objects/ab/cdef.filez'), Buffer.alloc(100_000, 7));
    fs.mkdirSync(path.join(repo, 'remotes.d'));
    fs.writeFileSync(path.join(repo, 'remotes.d/origin.json'), '{}');
    fs.writeFileSync(path.join(tmp(), 'outside'), 'secret');
    fs.symlinkSync(path.join(tmp(), 'outside'), path.join(repo, 'objects/ab/escape.filez'));
    server = new RepoServer({ repo });
    return { url: await server.listen(), repo };
  }

  it('serves objects with their exact Content-Length, and HEAD without a body', async () => {
    const { url } = await serve();
    const response = await fetch(`${url}/objects/ab/cdef.filez`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), '100000');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.alloc(100_000, 7));
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    const head = await fetch(`${url}/config`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal((await fetch(`${url}/summary`)).status, 404);
    assert.equal((await fetch(`${url}/objects/ab/cdef.filez`, { method: 'PUT', body: 'x' })).status, 405);
  });

  it('serves nothing outside the archive layout: no traversal, no symlinks out, no private files', async () => {
    const { url } = await serve();
    for (const request of [
      '/objects/%2e%2e/remotes.d/origin.json',
      '/objects/..%2f..%2foutside',
      '/objects/ab/escape.filez',
      '/remotes.d/origin.json',
      '/.lock',
      '/tmp',
      '/objects',
      '/objects/ab',
      '/objects/ab/cdef.filez%00',
    ]) {
      const response = await fetch(`${url}${request}`);
      assert.equal(response.status, 404, request);
    }
  });

  it('answers many clients at once', async () => {
    const { url } = await serve();
    const statuses = await Promise.all(Array.from({ length: 200 }, async () => {
      const response = await fetch(`${url}/objects/ab/cdef.filez`);
      return `${response.status} ${(await response.arrayBuffer()).byteLength}`;
    }));
    assert.deepEqual(new Set(statuses), new Set(['200 100000']));
  });

  it('refuses to serve a repo that is not in archive mode', () => {
    const repo = path.join(tmp(), 'bare');
    Repo.init(repo, { mode: 'bare' });
    const run = runArbor(['serve', '--repo', repo]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: .*bare repo; only archive repos can be served/);
  });
});
