import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, type ArborError } from '@arbor/core';
import { blake3, commitTree, encodeCommit, encodeDirMeta, encodeDirTree, encodeFileHeader, fsck, Repo } from '@arbor/core/store';
import { runArbor } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { useTempDir, writeTree } from '../support/tempDir';

const AS_NOBODY = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];

/** Runs a command as `nobody` (setpriv from util-linux), returning its status and output. */
function asNobody(command: string[]): { status: number; output: string } {
  const result = spawnSync('setpriv', [...AS_NOBODY, ...command], { encoding: 'utf8' });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => path.join(dir, name)).filter((file) => fs.lstatSync(file).isFile());
}

describe('issue 19: a bare system repo keeps its objects from other users', () => {
  const tmp = useTempDir('arbor-harden-perms-');

  function treeWithDangerousFiles(): string {
    const tree = path.join(tmp(), 'tree');
    writeTree(tree, { 'etc/shared.conf': 'anyone may write me\n', 'usr/bin/.keep': '' });
    fs.copyFileSync('/usr/bin/id', path.join(tree, 'usr/bin/id-setuid'));
    fs.chmodSync(path.join(tree, 'usr/bin/id-setuid'), 0o4755);
    fs.chmodSync(path.join(tree, 'etc/shared.conf'), 0o666);
    return tree;
  }

  it('a non-root user can neither run nor write any object, nor anything in tmp/', async function () {
    requireRoot(this);
    requireTool(this, 'setpriv');
    // The temp dir is opened up so that only the repo's own modes stand in nobody's way.
    fs.chmodSync(tmp(), 0o755);
    const repoPath = path.join(tmp(), 'repo');
    const repo = Repo.init(repoPath, { mode: 'bare' });
    const warnings: string[] = [];
    const arbor = new Arbor({ logger: { info() {}, debug() {}, warn: (message: string) => void warnings.push(message) } });
    await commitTree(arbor, repo, { tree: treeWithDangerousFiles(), branch: 'os/x86_64', subject: 'v1' });
    const objects = filesUnder(path.join(repoPath, 'objects'));
    assert.ok(objects.length > 4);
    assert.equal(asNobody(['cat', path.join(repoPath, 'config')]).status, 0, 'the repo itself is reachable: the test is not vacuous');

    const setuid = objects.find((file) => (fs.statSync(file).mode & 0o4000) !== 0);
    assert.ok(setuid, 'the setuid binary is stored as a setuid object');
    // Through sh: setpriv's own execve still holds root's capabilities, the shell's does not.
    const run = asNobody(['sh', '-c', 'exec "$0"', setuid]);
    assert.notEqual(run.status, 0, `nobody ran the setuid object: ${run.output}`);
    assert.match(run.output, /Permission denied/);

    const reachable = spawnSync('setpriv', [...AS_NOBODY, 'sh', '-c', 'for f; do if [ -r "$f" ] || [ -w "$f" ] || [ -x "$f" ]; then echo "$f"; fi; done', 'sh', ...objects], { encoding: 'utf8' });
    assert.equal(reachable.stdout, '', 'no object is readable, writable or executable by nobody');
    const writeTmp = asNobody(['sh', '-c', `echo x > ${path.join(repoPath, 'tmp', 'planted')}`]);
    assert.notEqual(writeTmp.status, 0, 'nobody cannot plant files in the repo\'s tmp/');
    for (const dir of ['objects', 'tmp']) assert.equal(fs.statSync(path.join(repoPath, dir)).mode & 0o777, 0o700, dir);
  });

  it('tightens the objects/ and tmp/ of a bare repo made before the rule when its owner opens it', () => {
    const repoPath = path.join(tmp(), 'repo');
    Repo.init(repoPath, { mode: 'bare' });
    for (const dir of ['objects', 'tmp']) fs.chmodSync(path.join(repoPath, dir), 0o755);
    Repo.open(repoPath);
    for (const dir of ['objects', 'tmp']) assert.equal(fs.statSync(path.join(repoPath, dir)).mode & 0o777, 0o700, dir);
  });

  it('commits a world-writable file without o+w, and says so', async () => {
    const repo = Repo.init(path.join(tmp(), 'repo'), { mode: 'bare' });
    const warnings: string[] = [];
    const arbor = new Arbor({ logger: { info() {}, debug() {}, warn: (message: string) => void warnings.push(message) } });
    const { commit } = await commitTree(arbor, repo, { tree: treeWithDangerousFiles(), branch: 'os/x86_64', subject: 'v1' });
    const tree = repo.readDirTree(repo.readDirTree(repo.readCommit(commit).rootTree).dirs.find((dir) => dir.name === 'etc')!.tree);
    const meta = repo.readFileMeta(tree.files.find((file) => file.name === 'shared.conf')!.file);
    assert.equal(meta.mode & 0o7777, 0o664);
    assert.equal(fs.statSync(repo.objectPath(tree.files[0]!.file, 'file')).mode & 0o7777, 0o664, 'the object on disk is not world-writable');
    assert.deepEqual(warnings, ['Committed 1 world-writable file(s) without o+w: /etc/shared.conf']);
  });

  it('refuses a world-writable file when the repo config says world_writable = refuse', async () => {
    const repoPath = path.join(tmp(), 'repo');
    Repo.init(repoPath, { mode: 'archive' });
    fs.appendFileSync(path.join(repoPath, 'config'), 'world_writable = refuse\n');
    const repo = Repo.open(repoPath);
    assert.equal(repo.worldWritablePolicy, 'refuse');
    await assert.rejects(commitTree(new Arbor(), repo, { tree: treeWithDangerousFiles(), branch: 'main' }), (error: ArborError) =>
      error.code === 'ARBOR_STORE_WORLD_WRITABLE' && /\/etc\/shared\.conf is world-writable \(mode 0666\)/.test(error.message));
    assert.equal(repo.readRef('main'), undefined);
  });

  /**
   * An archive repo holding a commit whose /usr/bin/ww is a 0666 file, as another producer (or
   * a hostile one) could make: Arbor's own commit would strip the o+w. Returns the file's ID.
   */
  function foreignRepoWithWorldWritableFile(repoPath: string): string {
    const repo = Repo.init(repoPath, { mode: 'archive' });
    const content = Buffer.from('anyone may write me\n');
    const header = encodeFileHeader({ mode: 0o100666, uid: 0, gid: 0, size: content.length, target: '', xattrs: [] });
    const id = blake3(Buffer.concat([header, content])).toString('hex');
    const object = repo.objectPath(id, 'filez');
    fs.mkdirSync(path.dirname(object), { recursive: true });
    fs.writeFileSync(object, Buffer.concat([header, Buffer.of(0), content]));
    const dirMeta = repo.writeMetadataObject('dirmeta', encodeDirMeta({ mode: 0o40755, uid: 0, gid: 0, xattrs: [] }));
    let tree = repo.writeMetadataObject('dirtree', encodeDirTree({ files: [{ name: 'ww', file: id }], dirs: [] }));
    for (const name of ['bin', 'usr']) tree = repo.writeMetadataObject('dirtree', encodeDirTree({ files: [], dirs: [{ name, tree, meta: dirMeta }] }));
    const commit = repo.writeMetadataObject('commit', encodeCommit({ parent: null, timestamp: 0, rootTree: tree, rootMeta: dirMeta, subject: 'foreign', body: '', metadata: {} }));
    repo.setRef('os/x86_64', commit);
    return id;
  }

  it('a pull never brings a world-writable file into a bare repo, and fsck names one that got in earlier', async () => {
    const source = path.join(tmp(), 'foreign');
    const id = foreignRepoWithWorldWritableFile(source);
    const bare = path.join(tmp(), 'bare');
    Repo.init(bare, { mode: 'bare' });
    const refused = runArbor(['pull-local', source, 'os/x86_64', '--repo', bare]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^Error: Object ${id}\\.filez from local repo .* is a world-writable file \\(mode 0666\\), which a bare repo does not store.*\\[ARBOR_PULL_OBJECT_INVALID\\]`, 'm'));
    assert.deepEqual(Repo.open(bare).listRefs(), {});
    assert.ok(!Repo.open(bare).hasObject(id, 'file'));
    // An archive repo links nothing into checkouts: it may keep the object as it is.
    const archive = path.join(tmp(), 'archive');
    Repo.init(archive, { mode: 'archive' });
    assert.equal(runArbor(['pull-local', source, 'os/x86_64', '--repo', archive]).status, 0);
    // A bare repo that took one before this rule: fsck reports it as invalid, naming the path.
    const object = Repo.open(bare).objectPath(id, 'file');
    fs.mkdirSync(path.dirname(object), { recursive: true });
    fs.writeFileSync(object, 'anyone may write me\n');
    fs.chmodSync(object, 0o666);
    const opened = Repo.open(bare);
    const commit = Repo.open(archive).readRef('os/x86_64')!;
    for (const kind of ['commit', 'dirtree', 'dirmeta'] as const) {
      for (const file of filesUnder(path.join(archive, 'objects')).filter((name) => name.endsWith(`.${kind}`))) {
        const target = path.join(bare, path.relative(archive, file));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(file, target);
      }
    }
    opened.setRef('os/x86_64', commit);
    const report = await fsck(new Arbor(), Repo.open(bare));
    assert.deepEqual([report.corrupt, report.missing, report.invalid], [[], [], [id]]);
    assert.match(report.problems[0]!.reason!, /world-writable file \(mode 0666\)/);
    assert.equal(report.problems[0]!.path, '/usr/bin/ww');
  });
});
