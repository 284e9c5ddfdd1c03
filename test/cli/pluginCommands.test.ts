import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runArbor } from '../support/runArbor';
import { requireTool } from '../support/requireTool';
import { useTempDir } from '../support/tempDir';

const PACKAGE = path.join(REPO_ROOT, 'test', 'fixtures', 'cli', 'test-rpm-xz.noarch.rpm');

describe('commands that plugins bring', () => {
  const tmp = useTempDir('arbor-cli-plugins-');

  it('rpm info (@arbor/plugin-rpm) reads a package as rpm does', function () {
    requireTool(this, 'rpm');
    const run = runArbor(['rpm', 'info', PACKAGE, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const info = run.json<{ name: string; version: string; release: string; arch: string; files: Array<{ path: string; mode: number; size: number }> }>();
    const rpm = (format: string) => execFileSync('rpm', ['-qp', '--qf', format, PACKAGE], { encoding: 'utf8' });
    assert.equal(`${info.name}-${info.version}-${info.release}.${info.arch}`, rpm('%{NEVRA}'));
    const files = rpm('[%{FILENAMES} %{FILEMODES} %{FILESIZES}\\n]').trim().split('\n');
    assert.deepEqual(info.files.map((file) => `${file.path} ${file.mode} ${file.size}`), files);
    const human = runArbor(['rpm', 'info', PACKAGE]);
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /^test-xz-1\.0-1\.noarch/);
  });

  it('key generate (@arbor/plugin-ed25519) writes a key pair that signs and verifies', () => {
    const out = path.join(tmp(), 'signing.key');
    const run = runArbor(['key', 'generate', '--out', out, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = run.json<{ privateKey: string; publicKey: string; keyId: string }>();
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    const privateKey = crypto.createPrivateKey(fs.readFileSync(result.privateKey));
    const publicKey = crypto.createPublicKey(fs.readFileSync(result.publicKey));
    assert.equal(privateKey.asymmetricKeyType, 'ed25519');
    const signature = crypto.sign(null, Buffer.from('arbor'), privateKey);
    assert.ok(crypto.verify(null, Buffer.from('arbor'), publicKey, signature));
  });

  it('key generate without --out is a usage error of the plugin\'s command', () => {
    const run = runArbor(['key', 'generate', '--json']);
    assert.equal(run.status, 2, run.stderr);
    assert.deepEqual(run.json(), { error: { code: 'ARBOR_USAGE', message: 'Missing required flag out', hint: 'see arbor key generate --help' } });
  });
});
