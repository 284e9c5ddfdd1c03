import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addRemote } from '@arbor/core/remote';
import { Repo } from '@arbor/core/store';
import { ARBOR_BIN } from '../support/runArbor';
import { HostileRepoServer } from './HostileRepoServer';
import { arborAsync, makeSourceRepo, makeTree, objectName, storedObjects, type SourceRepo } from './replicationFixture';
import { removeTree } from '../support/tempDir';

describe('an interrupted pull', function () {
  this.timeout(120_000);
  let dir: string;
  let source: SourceRepo;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-resume-'));
    const tree = path.join(dir, 'tree');
    makeTree(tree, { files: 400 });
    source = makeSourceRepo(dir, tree);
  });
  after(() => removeTree(dir));

  it('killed with SIGKILL halfway, resumes without fetching again the objects it stored', async () => {
    const server = new HostileRepoServer(source.repo);
    server.holdAfter = 150;
    const repo = path.join(dir, 'client');
    try {
      Repo.init(repo, { mode: 'bare' });
      addRemote(repo, { name: 'origin', url: await server.start(), verifyKeyFile: source.pub });
      const child = spawn(process.execPath, [ARBOR_BIN, 'pull', '--repo', repo, 'origin', 'os/main'], { stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Wait until the server is holding the pull and what it sent has been stored.
      const deadline = Date.now() + 60_000;
      while (fileIds(storedObjects(repo)).size < 150 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      child.kill('SIGKILL');
      await exited;
      const stored = fileIds(storedObjects(repo));
      assert.ok(stored.size >= 150, `only ${stored.size} objects stored before the kill`);
      assert.deepEqual(Repo.open(repo).listRefs(), {}, 'a killed pull moves no ref');

      server.holdAfter = undefined;
      server.paths.length = 0;
      const resumed = await arborAsync(['pull', '--repo', repo, 'origin', 'os/main']);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stderr, /already staged by an earlier attempt/);
      const refetched = server.paths.map(objectName).filter((name): name is string => Boolean(name?.endsWith('.filez')));
      assert.ok(refetched.length > 0, 'the second run fetched the rest');
      assert.deepEqual(refetched.filter((name) => stored.has(name.replace(/\.filez$/, ''))), [], 'no stored object was fetched again');
      assert.deepEqual(Repo.open(repo).listRefs(), { 'origin:os/main': source.commit });
      const fsck = await arborAsync(['fsck', '--repo', repo, '--json']);
      assert.equal(fsck.status, 0, fsck.stderr);
      assert.deepEqual(fsck.json<{ corrupt: string[]; missing: string[] }>().missing, []);
    } finally {
      await server.stop();
    }
  });
});

/** File object IDs among `<id>.<kind>` names. */
function fileIds(names: Set<string>): Set<string> {
  return new Set([...names].filter((name) => /\.filez?$/.test(name)).map((name) => name.replace(/\.filez?$/, '')));
}
