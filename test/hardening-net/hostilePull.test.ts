import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addRemote } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { ARBOR_BIN } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { arbor, arborAsync, makeSourceRepo, makeTree, type SourceRepo } from '../replication/replicationFixture';
import { ForgingServer, forgedFileObject, zstdRleBomb } from './ForgingServer';
import { measuredArbor } from './measuredRun';
import { removeTree } from '../support/tempDir';

const MiB = 1 << 20;
const GiB = 1024 * MiB;
/** The acceptance bounds of issue 19: whatever the server claims. */
const TEMP_LIMIT = 100 * MiB;
const RSS_LIMIT = 300 * MiB;

/**
 * A man in the middle of a `--verify-key` remote: the summary, size index and commit are the
 * real signed ones, but file objects come back forged. Each pull must fail with one clear line
 * while staying under 100 MB of temp space and 300 MB of RSS, and leave no temp file behind.
 */
describe('pulling from a server that lies about sizes', function () {
  this.timeout(120_000);
  let dir: string;
  let source: SourceRepo;
  let config: string;
  let small: string;
  let large: string;
  let counter = 0;

  before(function () {
    requireTool(this, 'time');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-hardening-pull-'));
    const tree = path.join(dir, 'tree');
    makeTree(tree, { files: 20 });
    fs.writeFileSync(path.join(tree, 'usr/share/small.bin'), seeded(3 * MiB, 'small'));
    fs.writeFileSync(path.join(tree, 'usr/share/large.bin'), seeded(20 * MiB, 'large'));
    source = makeSourceRepo(dir, tree);
    // Random content is stored raw, so each object's wire size (signed in the size index) is its size.
    small = objectOfSize(source.repo, 3 * MiB);
    large = objectOfSize(source.repo, 20 * MiB);
    fs.writeFileSync(path.join(tree, 'usr/share/other'), 'another commit');
    arbor(['commit', '--repo', source.repo, '--branch', 'os/other', '--tree', tree, '--subject', 'other', '--sign-key', source.key]);
    arbor(['summary', '--repo', source.repo, '--sign-key', source.key]);
    config = path.join(dir, 'arbor.config.json');
    fs.writeFileSync(config, JSON.stringify({
      preset: [],
      plugins: ['storage', 'file', ['http', { stallTimeoutMs: 3000, retries: 0, retryDelayMs: 10, minBytesPerSecond: 2000, throughputWindowMs: 1000 }], 'ed25519'],
    }));
  });
  after(() => removeTree(dir));

  function client(url: string): string {
    const repo = path.join(dir, `client-${++counter}`);
    Repo.init(repo, { mode: 'bare' });
    addRemote(repo, { name: 'bad', url, verifyKeyFile: source.pub });
    return repo;
  }

  async function pullForged(path_: string, body: Buffer, extra: string[] = []): Promise<{ line: string; repo: string }> {
    const server = new ForgingServer(source.repo);
    server.forgeries.set(path_, { kind: 'body', bytes: body });
    try {
      const repo = client(await server.start());
      const run = await measuredArbor(['pull', '--repo', repo, 'bad', 'os/main', '--config', config, ...extra], {
        watch: path.join(repo, 'tmp'),
        killAboveBytes: TEMP_LIMIT,
        timeoutMs: 60_000,
      });
      assert.ok(!run.killed, `the pull was killed after ${run.seconds} s with ${run.peakBytes} bytes of temp space`);
      assert.ok(server.hits.length > 0, 'the forged body was served');
      assert.equal(run.status, 1, run.stderr);
      const lines = run.stderr.trim().split('\n').filter((line) => !line.startsWith('Fetching') && !line.startsWith('warning:'));
      assert.equal(lines.length, 1, `one error line, got:\n${run.stderr}`);
      assert.match(lines[0]!, /^Error: .* \[ARBOR_[A-Z_]+\]/);
      assert.ok(run.peakBytes < TEMP_LIMIT, `temp space peaked at ${run.peakBytes} bytes`);
      assert.ok(run.maxRssBytes < RSS_LIMIT, `RSS peaked at ${run.maxRssBytes} bytes`);
      assert.deepEqual(Repo.open(repo).listRefs(), {}, 'no ref moved');
      assert.deepEqual(tempFiles(repo), [], 'no temp file is left behind');
      return { line: lines[0]!, repo };
    } finally {
      await server.stop();
    }
  }

  it('refuses a small body whose header claims 4 GiB without allocating it', async () => {
    const { line } = await pullForged(small, forgedFileObject(4 * GiB, zstdRleBomb(2 * MiB)));
    assert.match(line, /^Error: Object [0-9a-f]{64}\.filez from remote bad .*\[ARBOR_PULL_OBJECT_(CORRUPT|TOO_LARGE)\]/);
  });

  it('names the object, not Node\'s "out of range", for a 20 GiB claim', async () => {
    const { line } = await pullForged(small, forgedFileObject(20 * GiB, zstdRleBomb(2 * MiB)), ['--max-object-size', '16G']);
    assert.match(line, /^Error: Object [0-9a-f]{64}\.filez from remote bad claims 21474836480 bytes of content, more than the 17179869184 allowed for one object \[ARBOR_PULL_OBJECT_TOO_LARGE\]/);
  });

  it('refuses a zstd bomb claiming 500 GB before decompressing anything', async () => {
    const { line } = await pullForged(large, forgedFileObject(500e9, zstdRleBomb(17 * MiB)));
    assert.match(line, /claims 500000000000 bytes of content, more than the 68719476736 allowed for one object \[ARBOR_PULL_OBJECT_TOO_LARGE\]/);
  });

  it('decompresses a bomb within its claim into the hash only, never to disk', async () => {
    const { line } = await pullForged(large, forgedFileObject(900 * MiB, zstdRleBomb(17 * MiB)));
    assert.match(line, /^Error: Object [0-9a-f]{64}\.filez from remote bad is corrupt: content exceeds the 943718400 bytes its header declares \[ARBOR_PULL_OBJECT_CORRUPT\]/);
  });

  it('stops at the first byte of raw content past the claimed size', async () => {
    const { line } = await pullForged(large, forgedFileObject(1 * MiB, seeded(19 * MiB, 'raw'), 0));
    assert.match(line, /has more content than the 1048576 bytes its header declares \[ARBOR_PULL_OBJECT_CORRUPT\]/);
  });

  it('stops when the pull would stage more than --max-temp-size', async () => {
    const server = new ForgingServer(source.repo);
    try {
      const repo = client(await server.start());
      const run = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config, '--max-temp-size', '8M']);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /^Error: Pull from remote bad needs more than 8\.0 MiB of temp space in .*tmp\/pull-[0-9a-z]+-[0-9a-f]{64} \(2\d\.\d MiB so far\) \[ARBOR_PULL_TEMP_LIMIT\]/m);
      assert.deepEqual(server.paths.filter((request) => request.endsWith('.filez')), [], 'nothing was downloaded');
    } finally {
      await server.stop();
    }
  });

  it('names the object and the path when the disk fills, and checks free space up front', async function () {
    requireRoot(this);
    const mount = path.join(dir, 'small-disk');
    fs.mkdirSync(mount);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', mount]);
    if (mounted.status !== 0) this.skip();
    const server = new ForgingServer(source.repo);
    try {
      const url = await server.start();
      const repo = path.join(mount, 'repo');
      Repo.init(repo, { mode: 'bare' });
      addRemote(repo, { name: 'bad', url, verifyKeyFile: source.pub });
      const early = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config]);
      assert.match(early.stderr, /^Error: Pull from remote bad needs more than 1\d\.\d MiB of temp space in .* \[ARBOR_PULL_TEMP_LIMIT\]/m);
      const full = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config, '--max-temp-size', '1T']);
      assert.equal(full.status, 1);
      assert.match(full.stderr.replace(/^Fetching.*\n/m, '').trim(), /^Error: (Object [0-9a-f]{64}\.filez from remote bad|Pull of os\/main from remote bad into .*): cannot stage it: no space left on the device \((writing in|\w+) \/.*\), ENOSPC \[ARBOR_PULL_STAGING_FAILED\]/);
    } finally {
      await server.stop();
      spawnSync('umount', ['-l', mount]);
    }
  });

  it('cuts off a server that drips one byte at a time', async () => {
    const server = new ForgingServer(source.repo);
    server.forgeries.set(small, { kind: 'drip', everyMs: 100 });
    try {
      const repo = client(await server.start());
      const started = Date.now();
      const run = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, /^Error: GET http:\/\/127\.0\.0\.1:\d+\/objects\/.*\.filez: server sent under 2000 bytes\/s for 1 s \(\d+ of \d+ bytes received\) \[ARBOR_REMOTE_TIMEOUT\]/m);
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    } finally {
      await server.stop();
    }
  });

  it('removes the temp files of a killed pull on the next pull, whatever it pulls', async () => {
    const server = new ForgingServer(source.repo);
    server.forgeries.set(large, { kind: 'hold', bytes: 19 * MiB });
    try {
      const repo = client(await server.start());
      const child = spawn(process.execPath, [ARBOR_BIN, 'pull', '--repo', repo, 'bad', 'os/main', '--config', config], { stdio: 'ignore' });
      const deadline = Date.now() + 20_000;
      while (tempFiles(repo).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      assert.ok(tempFiles(repo).length > 0, 'the killed pull left a temp file');
      server.forgeries.clear();
      const next = await arborAsync(['pull', '--repo', repo, 'bad', 'os/other', '--config', config]);
      assert.equal(next.status, 0, next.stderr);
      assert.deepEqual(tempFiles(repo), []);
    } finally {
      await server.stop();
    }
  });

  it('renames a large object into a bare repo instead of copying it', async () => {
    const server = new ForgingServer(source.repo);
    try {
      const repo = client(await server.start());
      // The staging directory is made before the pull (it resumes into it), so every name
      // created there is seen.
      const staging = path.join(repo, 'tmp', `pull-${bootId()}-${source.commit}`);
      fs.mkdirSync(staging, { recursive: true });
      const created: string[] = [];
      const watcher = fs.watch(staging, (_event, name) => name && created.push(String(name)));
      const run = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config]);
      watcher.close();
      assert.equal(run.status, 0, run.stderr);
      const largeId = large.replace(/^objects\/(..)\/(.{62})\.filez$/, '$1$2');
      const forLarge = [...new Set(created.filter((name) => name.startsWith(largeId)))];
      assert.ok(forLarge.length > 0, 'the large object was staged');
      // The body as sent (.body) is kept apart from the content; the content file is the object
      // file itself, renamed into place, where a `.content` file used to be copied.
      assert.deepEqual(forLarge.filter((name) => /\.content$/.test(name)), [], `no copy of the content: ${forLarge.join(', ')}`);
      const stored = fs.statSync(path.join(repo, 'objects', largeId.slice(0, 2), `${largeId.slice(2)}.file`));
      assert.equal(stored.size, 20 * MiB);
    } finally {
      await server.stop();
    }
  });
});

function tempFiles(repo: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (/\.tmp|\.body$|\.content$/.test(entry.name)) found.push(entry.name);
    }
  };
  walk(path.join(repo, 'tmp'));
  return found;
}

/** The path of the one .filez object whose size is within 4 KiB above `size`. */
function objectOfSize(repo: string, size: number): string {
  for (const prefix of fs.readdirSync(path.join(repo, 'objects'))) {
    for (const name of fs.readdirSync(path.join(repo, 'objects', prefix))) {
      if (!name.endsWith('.filez')) continue;
      const bytes = fs.statSync(path.join(repo, 'objects', prefix, name)).size;
      if (bytes >= size && bytes < size + 4096) return `objects/${prefix}/${name}`;
    }
  }
  throw new Error(`no object of ${size} bytes`);
}

function seeded(length: number, seed: string): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0, counter = 0; offset < length; offset += 32) crypto.createHash('sha256').update(`${seed}-${counter++}`).digest().copy(out, offset);
  return out;
}

function bootId(): string {
  return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 16);
}
