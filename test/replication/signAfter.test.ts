import assert from 'node:assert/strict';
import path from 'node:path';
import { useTempDir } from '../support/tempDir';
import { arbor, makeClient, makeTree, startArborServe } from './replicationFixture';
import { runArbor } from '../support/runArbor';

/** `arbor sign`: a commit made unsigned is signed afterwards, and a verifying client then takes it. */
describe('arbor sign on an existing commit', function () {
  this.timeout(180_000);
  const tmp = useTempDir('arbor-sign-after-');

  it('signs an unsigned commit so that a client requiring the key pulls it', async () => {
    const dir = tmp();
    const tree = path.join(dir, 'tree');
    makeTree(tree, { files: 20 });
    const repo = path.join(dir, 'server');
    const key = path.join(dir, 'release.key');
    arbor(['key', 'generate', '--out', key]);
    arbor(['init', '--repo', repo, '--mode', 'archive']);
    const commit = arbor(['commit', '--repo', repo, '--branch', 'os/main', '--tree', tree, '--subject', 'unsigned']).stdout.trim();
    arbor(['summary', '--repo', repo, '--sign-key', key]);
    const server = await startArborServe(repo);
    try {
      const client = makeClient(dir, 'client', server.url, `${key}.pub`, { cli: true });
      const refused = runArbor(['pull', '--repo', client, 'origin', 'os/main']);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /has no ed25519 signature/);

      const signed = runArbor(['sign', 'os/main', '--repo', repo, '--sign-key', key, '--json']);
      assert.equal(signed.status, 0, signed.stderr);
      assert.equal(signed.json<{ commit: string; algorithm: string }>().commit, commit);
      assert.equal(signed.json<{ algorithm: string }>().algorithm, 'ed25519');

      const pulled = runArbor(['pull', '--repo', client, 'origin', 'os/main']);
      assert.equal(pulled.status, 0, pulled.stderr);
      assert.equal(runArbor(['refs', '--repo', client, '--json']).json<Record<string, string>>()['origin:os/main'], commit);
    } finally {
      await server.stop();
    }
  });

  it('names a key type no plugin signs with, in one line', () => {
    const dir = tmp();
    const repo = path.join(dir, 'repo');
    const tree = path.join(dir, 'tree');
    makeTree(tree, { files: 2 });
    arbor(['init', '--repo', repo, '--mode', 'archive']);
    arbor(['commit', '--repo', repo, '--branch', 'main', '--tree', tree]);
    const run = runArbor(['sign', 'main', '--repo', repo, '--sign-key', 'gpg:0xDEADBEEF']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Error: No plugin signs with gpg keys \(gpg:0xDEADBEEF\), so commit [0-9a-f]{64} cannot be signed \[ARBOR_SIGN_NO_SIGNER\] \(hint: Plugins here sign with: ed25519\)\n$/);
  });
});
