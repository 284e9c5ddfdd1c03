import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';
import { arbor } from './replicationFixture';

describe('arbor remote', () => {
  const tmp = useTempDir('arbor-remote-');

  it('adds, lists and deletes remotes, with the key recorded in the repo', () => {
    const repo = path.join(tmp(), 'repo');
    Repo.init(repo, { mode: 'archive' });
    const key = path.join(tmp(), 'signing.key');
    const { keyId } = arbor(['key', 'generate', '--out', key, '--json']).json<{ keyId: string }>();
    arbor(['remote', 'add', 'origin', 'http://127.0.0.1:8080/repo', '--repo', repo, '--verify-key', `${key}.pub`]);
    arbor(['remote', 'add', 'usb', `file://${tmp()}/mirror`, '--repo', repo, '--no-verify']);
    // The key is copied in: deleting the .pub file does not weaken the remote.
    fs.rmSync(`${key}.pub`);
    assert.deepEqual(arbor(['remote', 'list', '--repo', repo, '--json']).json(), [
      { name: 'origin', url: 'http://127.0.0.1:8080/repo/', verify: true, keys: [keyId] },
      { name: 'usb', url: `file://${tmp()}/mirror/`, verify: false, keys: [] },
    ]);
    arbor(['remote', 'delete', 'usb', '--repo', repo]);
    const missing = runArbor(['remote', 'delete', 'usb', '--repo', repo]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^Error: No remote named usb in .* \[ARBOR_REMOTE_UNKNOWN\] \(hint: Known remotes: origin\)/);
  });

  it('works on a sysroot\'s repo with --sysroot, and needs a verification choice', () => {
    const sysroot = path.join(tmp(), 'sysroot');
    Repo.init(path.join(sysroot, 'arbor', 'repo'), { mode: 'bare' });
    const unchosen = runArbor(['remote', 'add', 'origin', 'http://127.0.0.1:1/', '--sysroot', sysroot]);
    assert.equal(unchosen.status, 2);
    assert.match(unchosen.stderr, /--no-verify, --verify-key/);
    arbor(['remote', 'add', 'origin', 'http://127.0.0.1:1/', '--sysroot', sysroot, '--no-verify']);
    assert.deepEqual(arbor(['remote', 'list', '--sysroot', sysroot, '--json']).json<{ name: string }[]>().map((remote) => remote.name), ['origin']);
    assert.ok(fs.existsSync(path.join(sysroot, 'arbor/repo/remotes.d/origin.json')));
    const duplicate = runArbor(['remote', 'add', 'origin', 'http://127.0.0.1:1/', '--sysroot', sysroot, '--no-verify']);
    assert.equal(duplicate.status, 1);
    assert.match(duplicate.stderr, /^Error: Remote origin already exists/);
  });

  it('refuses a private key given as --verify-key', () => {
    const repo = path.join(tmp(), 'repo');
    Repo.init(repo, { mode: 'bare' });
    const key = path.join(tmp(), 'k');
    arbor(['key', 'generate', '--out', key]);
    const run = runArbor(['remote', 'add', 'origin', 'http://127.0.0.1:1/', '--repo', repo, '--verify-key', key]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /holds a private key; a remote needs the public one .*hint: Use .*k\.pub/);
  });
});
