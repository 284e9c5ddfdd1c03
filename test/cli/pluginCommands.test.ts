import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
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

describe('a command plugin that is not installed', () => {
  const tmp = useTempDir('arbor-cli-absent-');

  /**
   * A copy of the CLI whose package.json names one more command plugin, as a packed @arbor/core
   * installed without its optional plugins does: the launcher and package.json are copied, the
   * rest is linked to this checkout.
   */
  function cliNaming(absent: string): string {
    const root = tmp();
    const core = path.join(root, 'core');
    fs.mkdirSync(core);
    fs.cpSync(path.join(REPO_ROOT, 'core', 'bin'), path.join(core, 'bin'), { recursive: true });
    for (const name of ['dist', 'oclif.manifest.json']) fs.symlinkSync(path.join(REPO_ROOT, 'core', name), path.join(core, name));
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    const pjson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'core', 'package.json'), 'utf8'));
    pjson.oclif.plugins.push(absent);
    pjson.dependencies[absent] = '1.0.0';
    fs.writeFileSync(path.join(core, 'package.json'), JSON.stringify(pjson));
    return path.join(core, 'bin', 'run.js');
  }

  it('brings no commands and no warning; the others still run', () => {
    const bin = cliNaming('@arbor/plugin-absent');
    const run = (args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBUG: '' } });
    const help = run(['help', '--json']);
    const ids = (JSON.parse(help) as { commands: Array<{ command: string }> }).commands.map((command) => command.command);
    assert.ok(ids.includes('rpm info') && ids.includes('refs'), ids.join(', '));
    const keyFile = path.join(tmp(), 'k');
    const result = spawnSyncArbor(bin, ['key', 'generate', '--out', keyFile]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '', 'no warning about the absent plugin');
  });
});

function spawnSyncArbor(bin: string, args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, DEBUG: '' } });
  return { status: result.status, stderr: result.stderr };
}
