import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { generateKeyPair } from '@arbor/plugin-ed25519';
import { ARBOR_BIN, runArbor } from '../support/runArbor';
import { useTempDir, writeTree } from '../support/tempDir';

interface Exit {
  status: number;
  stdout: string;
  stderr: string;
}

/** Starts a process without waiting for it, so two can race. */
function start(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env: { ...process.env, DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}

/** Every commit from `ref` back to the root, by following parents. */
function history(repo: Repo, ref: string): Set<string> {
  const seen = new Set<string>();
  for (let id: string | null | undefined = repo.readRef(ref); id; id = repo.readCommit(id).parent) seen.add(id);
  return seen;
}

describe('issue 19: concurrent updates of one ref lose nothing', () => {
  const tmp = useTempDir('arbor-harden-refs-');

  it('20 rounds of two concurrent `arbor commit --branch main`: each commit is reachable or its command failed with ARBOR_STORE_REF_MOVED', async function () {
    this.timeout(600_000);
    const repoPath = path.join(tmp(), 'repo');
    assert.equal(runArbor(['init', '--repo', repoPath, '--mode', 'archive']).status, 0);
    for (const side of ['a', 'b']) writeTree(path.join(tmp(), side), { 'file': `${side}\n` });
    let landed = 0;
    let refused = 0;
    for (let round = 0; round < 20; round++) {
      // Different subjects make different commits even from equal trees.
      const runs = await Promise.all(['a', 'b'].map((side) => start([
        ARBOR_BIN, 'commit', '--repo', repoPath, '--branch', 'main', '--tree', path.join(tmp(), side), '--subject', `${side}${round}`, '--json',
      ])));
      const repo = Repo.open(repoPath);
      const reachable = history(repo, 'main');
      for (const run of runs) {
        if (run.status === 0) {
          const { commit } = JSON.parse(run.stdout) as { commit: string };
          assert.ok(reachable.has(commit), `round ${round}: commit ${commit} exited 0 but is not in the history of main`);
          landed++;
        } else {
          assert.match(run.stdout + run.stderr, /ARBOR_STORE_REF_MOVED/, `round ${round}: a failed commit says why\n${run.stdout}\n${run.stderr}`);
          refused++;
        }
      }
      assert.ok(runs.some((run) => run.status === 0), `round ${round}: one of the two commits lands`);
    }
    assert.equal(history(Repo.open(repoPath), 'main').size, landed, 'history holds exactly the commits that reported success');
    console.log(`      ${landed} commits landed, ${refused} refused as "ref moved"`);
  });

  it('a pull racing a commit on one ref never drops the other\'s update: the pull moves the ref only from the tip it read', async function () {
    this.timeout(300_000);
    const source = path.join(tmp(), 'source');
    const dest = path.join(tmp(), 'dest');
    for (const repo of [source, dest]) assert.equal(runArbor(['init', '--repo', repo, '--mode', 'archive']).status, 0);
    writeTree(path.join(tmp(), 'tree'), { file: 'x\n' });
    const commit = (repo: string, subject: string) => runArbor(['commit', '--repo', repo, '--branch', 'main', '--tree', path.join(tmp(), 'tree'), '--subject', subject]).stdout.trim();
    let refused = 0;
    const rounds = 6;
    for (let round = 0; round < rounds; round++) {
      const upstream = commit(source, `upstream ${round}`);
      const [pull, local] = await Promise.all([
        start([ARBOR_BIN, 'pull-local', source, 'main', '--repo', dest, '--allow-downgrade', '--json']),
        start([ARBOR_BIN, 'commit', '--repo', dest, '--branch', 'main', '--tree', path.join(tmp(), 'tree'), '--subject', `local ${round}`, '--json']),
      ]);
      const tip = Repo.open(dest).readRef('main');
      const localId = local.status === 0 ? (JSON.parse(local.stdout) as { commit: string }).commit : undefined;
      const pulled = pull.status === 0 ? (JSON.parse(pull.stdout) as { refs: { commit: string; previous: string | null }[] }).refs[0]! : undefined;
      for (const run of [pull, local]) {
        if (run.status !== 0) {
          assert.match(run.stdout + run.stderr, /ARBOR_STORE_REF_MOVED/, `round ${round}: a failed update says why\n${run.stderr}`);
          refused++;
        }
      }
      if (pulled && localId) {
        // Both landed, so one ran after the other and built on it: the pull replaced the local
        // commit it read as the tip, or the local commit's parent is what the pull wrote.
        const pullLast = tip === upstream && pulled.previous === localId;
        const commitLast = tip === localId && Repo.open(dest).readCommit(localId).parent === upstream;
        assert.ok(pullLast || commitLast, `round ${round}: both exited 0, yet main is ${tip} (pull read ${pulled.previous}, local commit ${localId})`);
      } else {
        assert.equal(tip, pulled ? upstream : localId, `round ${round}: main holds what the update that succeeded wrote`);
      }
    }
    console.log(`      ${refused} of ${2 * rounds} updates refused as "ref moved"`);
  });

  it('two concurrent signings of one commit with different keys keep both signatures', async function () {
    this.timeout(300_000);
    const repoPath = path.join(tmp(), 'repo');
    assert.equal(runArbor(['init', '--repo', repoPath, '--mode', 'archive']).status, 0);
    writeTree(path.join(tmp(), 'tree'), { file: 'x\n' });
    const keys = ['k1', 'k2'].map((name) => generateKeyPair(path.join(tmp(), name)));
    for (let round = 0; round < 8; round++) {
      const commit = runArbor(['commit', '--repo', repoPath, '--branch', 'main', '--tree', path.join(tmp(), 'tree'), '--subject', `s${round}`]).stdout.trim();
      const runs = await Promise.all(keys.map((key) => start([ARBOR_BIN, 'sign', commit, '--repo', repoPath, '--sign-key', key.privateKey])));
      for (const run of runs) assert.equal(run.status, 0, run.stderr);
      const signatures = Repo.open(repoPath).readCommitSignatures(commit) ?? [];
      assert.equal(signatures.length, 2, `round ${round}: both keys' signatures are kept`);
    }
  });
});
