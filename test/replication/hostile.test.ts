import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addRemote } from '@arbor/core/remote';
import { encodeSummary } from '@arbor/core/remote';
import { readPrivateKey, sign } from '@arbor/plugin-ed25519';
import { CanonicalWriter } from '@arbor/core/store';
import { blake3, encodeCommit, encodeCommitSignatures, objectRelPath, Repo } from '@arbor/core/store';
import { HostileRepoServer, type Misbehavior } from './HostileRepoServer';
import { arbor, arborAsync, makeSourceRepo, makeTree, type SourceRepo } from './replicationFixture';
import { removeTree } from '../support/tempDir';

/**
 * Each hostile case: the pull fails with one clear line naming what is wrong, the client repo
 * still passes fsck, and a pull of the same commit from a good server then succeeds.
 */
describe('pulling from a hostile server', function () {
  this.timeout(60_000);
  let dir: string;
  let source: SourceRepo;
  let good: HostileRepoServer;
  let config: string;
  let counter = 0;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-hostile-'));
    const tree = path.join(dir, 'tree');
    makeTree(tree, { files: 60 });
    source = makeSourceRepo(dir, tree);
    good = new HostileRepoServer(source.repo);
    await good.start();
    // Short timeouts and few retries, so the stalling case takes seconds, not minutes.
    config = path.join(dir, 'arbor.config.json');
    fs.writeFileSync(config, JSON.stringify({
      preset: [],
      plugins: ['storage', 'file', ['http', { stallTimeoutMs: 400, retries: 1, retryDelayMs: 10 }], 'ed25519'],
    }));
  });
  after(async () => {
    await good.stop();
    removeTree(dir);
  });

  /** A fresh client with the remote `bad` (at `url`) and `good`, both trusting the signing key. */
  function client(url: string): string {
    const repo = path.join(dir, `client-${++counter}`);
    Repo.init(repo, { mode: 'bare' });
    addRemote(repo, { name: 'bad', url, verifyKeyFile: source.pub });
    addRemote(repo, { name: 'good', url: good.url, verifyKeyFile: source.pub });
    return repo;
  }

  async function expectRefusedThenRecovered(repo: string, message: RegExp): Promise<void> {
    const refused = await arborAsync(['pull', '--repo', repo, 'bad', 'os/main', '--config', config]);
    assert.equal(refused.status, 1, refused.stderr);
    const lines = refused.stderr.trim().split('\n').filter((line) => !line.startsWith('Fetching') && !line.startsWith('warning:'));
    assert.equal(lines.length, 1, `one error line, got:\n${refused.stderr}`);
    assert.match(lines[0]!, message);
    assert.deepEqual(Repo.open(repo).listRefs(), {}, 'no ref moved');
    const fsck = arbor(['fsck', '--repo', repo, '--json']).json<{ corrupt: string[]; missing: string[] }>();
    assert.deepEqual([fsck.corrupt, fsck.missing], [[], []]);
    const recovered = await arborAsync(['pull', '--repo', repo, 'good', 'os/main', '--config', config]);
    assert.equal(recovered.status, 0, recovered.stderr);
    assert.deepEqual(Repo.open(repo).listRefs(), { 'good:os/main': source.commit });
  }

  const cases: [Misbehavior, RegExp][] = [
    ['corrupt', /^Error: Object ([0-9a-f]{64})\.filez from remote bad does not match its ID: its bytes hash to [0-9a-f]{64} \[ARBOR_PULL_OBJECT_CORRUPT\]/],
    ['truncate', /^Error: .*objects\/[0-9a-f]{2}\/[0-9a-f]{62}\.filez: truncated body.* \[ARBOR_REMOTE_TRUNCATED\]/],
    ['missing', /^Error: GET http:\/\/127\.0\.0\.1:\d+\/objects\/[0-9a-f]{2}\/[0-9a-f]{62}\.filez: not found \(HTTP 404\) \[ARBOR_REMOTE_NOT_FOUND\]/],
    ['stall', /^Error: GET .*\.filez: server stalled for 0\.4 s after \d+ of \d+ bytes \[ARBOR_REMOTE_TIMEOUT\]/],
    ['huge', /^Error: GET .*\.filez: response too large \(limit \d+ bytes, server sent 536870912 bytes\) \[ARBOR_REMOTE_TOO_LARGE\]/],
  ];
  for (const [misbehavior, message] of cases) {
    it(`refuses a server that answers a file object with: ${misbehavior}`, async () => {
      const hostile = new HostileRepoServer(source.repo);
      hostile.misbehavior = misbehavior;
      try {
        const repo = client(await hostile.start());
        await expectRefusedThenRecovered(repo, message);
        assert.ok(hostile.victim, 'the misbehavior was exercised');
        if (misbehavior === 'corrupt') {
          const id = /Object ([0-9a-f]{64})/.exec((await arborAsync(['pull', '--repo', client(hostile.url), 'bad', 'os/main', '--config', config])).stderr)?.[1];
          assert.equal(`/${objectRelPath(id!, 'filez')}`, hostile.victim, 'the error names the forged object');
        }
      } finally {
        await hostile.stop();
      }
    });
  }

  it('refuses a dirtree holding ".." or a "/" in a name, even in a validly signed commit', async () => {
    for (const name of ['..', 'etc/passwd']) {
      const evil = tamperedCopy(`evil-${name.length}`);
      const repo = Repo.open(evil);
      const real = repo.readCommit(source.commit);
      const fileId = repo.readDirTree(real.rootTree).dirs[0]!.tree;
      const tree = new CanonicalWriter().latin1('arbt').u8(1).u32(1).u8(1).u16(name.length).latin1(name).raw(Buffer.from(fileId, 'hex')).finish();
      const treeId = blake3(tree).toString('hex');
      writeObject(evil, objectRelPath(treeId, 'dirtree'), tree);
      const commit = encodeCommit({ ...real, parent: null, rootTree: treeId, subject: 'evil' });
      const commitId = blake3(commit).toString('hex');
      writeObject(evil, objectRelPath(commitId, 'commit'), commit);
      writeObject(evil, objectRelPath(commitId, 'commitsig'), encodeCommitSignatures([sign(commit, readPrivateKey(source.key))]));
      signSummary(evil, commitId, real.timestamp, source.key);
      const server = new HostileRepoServer(evil);
      try {
        const clientRepo = client(await server.start());
        await expectRefusedThenRecovered(clientRepo, new RegExp(`^Error: Dirtree ${treeId} from remote bad holds ${name === '..' ? 'the name ".."' : 'a name holding "/"'} \\[ARBOR_PULL_OBJECT_INVALID\\]`));
      } finally {
        await server.stop();
      }
    }
  });

  it('refuses a summary signed by another key, and a summary changed after signing', async () => {
    const other = path.join(dir, 'other.key');
    arbor(['key', 'generate', '--out', other]);
    for (const tamper of ['wrong key', 'edited'] as const) {
      const evil = tamperedCopy(`summary-${tamper.replace(' ', '-')}`);
      if (tamper === 'wrong key') {
        signSummary(evil, source.commit, 0, other);
      } else {
        const summary = path.join(evil, 'summary');
        fs.writeFileSync(summary, fs.readFileSync(summary, 'utf8').replace(/"timestamp":\d+/, '"timestamp":1'));
      }
      const server = new HostileRepoServer(evil);
      try {
        const repo = client(await server.start());
        await expectRefusedThenRecovered(repo, /^Error: During verification \(arbor:ed25519\): summary from remote bad has no valid signature by a trusted key \(signed by [0-9a-f]{16}\) \[ARBOR_VERIFY_BAD_SIGNATURE\]/);
        assert.deepEqual(server.paths.filter((request) => request.startsWith('/objects/')), [], 'nothing fetched past the summary');
      } finally {
        await server.stop();
      }
    }
  });

  function tamperedCopy(name: string): string {
    const copy = path.join(dir, name);
    fs.cpSync(source.repo, copy, { recursive: true });
    return copy;
  }
});

function writeObject(repo: string, relative: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(path.join(repo, relative)), { recursive: true });
  fs.writeFileSync(path.join(repo, relative), bytes);
}

/** A summary naming `commit` for os/main, signed by `key`, without a size index. */
function signSummary(repo: string, commit: string, timestamp: number, key: string): void {
  const summary = encodeSummary({ timestamp: 1, refs: { 'os/main': { commit, timestamp } } });
  fs.writeFileSync(path.join(repo, 'summary'), summary);
  fs.writeFileSync(path.join(repo, 'summary.sig'), encodeCommitSignatures([sign(summary, readPrivateKey(key))]));
}
