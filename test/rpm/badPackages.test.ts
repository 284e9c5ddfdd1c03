import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isArborError } from '@arbor/core';
import { installPackage, RpmErrorCode, RpmInstallState } from '@arbor/plugin-rpm';
import { requireRoot, requireTool } from '../support/requireTool';
import { runArbor } from '../support/runArbor';
import { buildRpm } from './buildRpm';
import { headerSpans, redigest, replaceBytes } from './rpmSurgery';
import { listTree } from './treeOracle';

describe('bad packages leave the tree untouched', function () {
  this.timeout(120_000);
  let work = '';
  let tree = '';
  let parent = '';
  let good = '';
  let victim = '';
  const victims: Record<string, string> = {};
  let plain = '';
  let devices = '';
  let state: RpmInstallState;
  let snapshot: ReturnType<typeof listTree>;

  before(async function () {
    requireTool(this, 'rpmbuild', 'rpm', 'getfattr', 'xz');
    requireRoot(this);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-bad-'));
    // Incompressible content, so the payload (not the header) is most of the file.
    let seed = 7;
    const content = Array.from({ length: 6000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return (seed >> 8).toString(36);
    }).join('');
    good = buildRpm(work, { name: 'base', payload: 'w9.gzdio', entries: [{ path: '/opt/base/kept', content: 'kept\n' }] });
    for (const payload of ['w9.gzdio', 'w19.zstdio', 'w2.xzdio']) {
      victims[payload] = buildRpm(work, {
        name: 'victim',
        payload,
        entries: [{ path: '/opt/base/victim-a', content }, { path: '/opt/victim/b', content: content.toUpperCase() }],
      });
    }
    victim = victims['w9.gzdio']!;
    plain = buildRpm(work, { name: 'escape', payload: 'w.ufdio', entries: [{ path: '/qqqqqqqqqqqq/arbor-evil', content: 'escaped\n' }] });
    devices = buildRpm(work, {
      name: 'devices',
      payload: 'w9.gzdio',
      entries: [{ path: '/opt/dev/ok', content: 'ok\n' }, { path: '/opt/dev/null', directives: '%dev(c, 1, 3)' }],
    });
    parent = path.join(work, 'parent');
    tree = path.join(parent, 'tree');
    fs.mkdirSync(tree, { recursive: true });
    state = new RpmInstallState();
    await installPackage(good, { tree, state });
    snapshot = listTree(tree);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Installs `file` expecting `code`; checks the message is one line naming it and nothing changed. */
  async function refused(file: string, code: string, pattern: RegExp): Promise<void> {
    await assert.rejects(installPackage(file, { tree, state }), (error: Error & { code?: string }) => {
      assert.ok(isArborError(error), String(error));
      assert.equal(error.code, code, error.message);
      assert.ok(error.message.startsWith(`${path.basename(file)}: `), error.message);
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, pattern);
      return true;
    });
    assert.deepEqual(listTree(tree), snapshot);
    assert.deepEqual(fs.readdirSync(parent), ['tree'], 'no staging directory is left beside the tree');
    assert.deepEqual(state.packages, ['base-1.0-1.noarch']);
  }

  function variant(name: string, edit: (bytes: Buffer) => Buffer, original = victim): string {
    const file = path.join(work, name);
    fs.writeFileSync(file, edit(Buffer.from(fs.readFileSync(original))));
    return file;
  }

  it('refuses a flipped payload byte with the payload digest, as rpm -K does', async () => {
    const file = variant('flipped-payload.rpm', (bytes) => {
      const { main } = headerSpans(bytes);
      bytes[main.end + Math.floor((bytes.length - main.end) / 2)] ^= 0x10;
      return bytes;
    });
    await refused(file, RpmErrorCode.DIGEST_MISMATCH, /payload SHA256 digest mismatch/);
    assert.notEqual(spawnSync('rpm', ['-K', '--nosignature', file]).status, 0);
  });

  it('refuses a truncated file, whether it ends in the payload or in a header', async () => {
    const inHeader = variant('truncated-header.rpm', (bytes) => bytes.subarray(0, headerSpans(bytes).main.store + 20));
    await refused(inHeader, RpmErrorCode.TRUNCATED, /main header claims \d+ index entries and \d+ data bytes, more than the \d+ bytes left/);
    const file = variant('truncated.rpm', (bytes) => bytes.subarray(0, Math.floor(bytes.length * 0.7)));
    await refused(file, RpmErrorCode.TRUNCATED, /the file ends after \d+ of \d+ payload bytes/);
    assert.notEqual(spawnSync('rpm', ['-K', '--nosignature', file]).status, 0);
    const cli = runArbor(['rpm', 'info', file]);
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /^Error: truncated\.rpm: .*\[ARBOR_RPM_TRUNCATED\]/);
    assert.equal(cli.stderr.trim().split('\n').length, 1);
  });

  it('refuses a header whose index claims more data than the file has, before reading it', async () => {
    const file = variant('header-claims-more.rpm', (bytes) => {
      bytes.writeUInt32BE(0x0fff0000, headerSpans(bytes).main.start + 12);
      return bytes;
    });
    await refused(file, RpmErrorCode.TRUNCATED, /main header claims \d+ index entries and 268369920 data bytes, more than the \d+ bytes left in the file/);
    assert.notEqual(spawnSync('rpm', ['-qp', '--nosignature', file]).status, 0);
    const cli = runArbor(['rpm', 'info', file, '--json']);
    assert.equal(cli.status, 1);
    assert.equal(cli.json<{ error: { code: string } }>().error.code, RpmErrorCode.TRUNCATED);
  });

  it('refuses ../ paths even when every digest of the package is right', async () => {
    const escape = path.join(work, 'escape.rpm');
    const bytes = Buffer.from(fs.readFileSync(plain));
    const { main } = headerSpans(bytes);
    assert.equal(replaceBytes(bytes, main.store, main.end, '/qqqqqqqqqqqq/\0', '/../../../tmp/\0'), 1);
    assert.equal(replaceBytes(bytes, main.end, bytes.length, './qqqqqqqqqqqq/arbor-evil', './../../../tmp/arbor-evil'), 1);
    redigest(bytes, { uncompressed: true });
    fs.writeFileSync(escape, bytes);
    assert.equal(spawnSync('rpm', ['-K', '--nosignature', escape]).status, 0, 'the edited package has valid digests');
    await refused(escape, RpmErrorCode.PATH_UNSAFE, /refusing file path "\/\.\.\/\.\.\/\.\.\/tmp\/arbor-evil"/);
    assert.equal(fs.existsSync('/tmp/arbor-evil'), false);
  });

  it('refuses a file whose content does not match its FILEDIGESTS entry, even when the payload digest matches', async () => {
    const altered = path.join(work, 'altered-file.rpm');
    const bytes = Buffer.from(fs.readFileSync(plain));
    const { main } = headerSpans(bytes);
    assert.equal(replaceBytes(bytes, main.end, bytes.length, 'escaped\n', 'ESCAPED\n'), 1);
    redigest(bytes, { uncompressed: true });
    fs.writeFileSync(altered, bytes);
    await refused(altered, RpmErrorCode.DIGEST_MISMATCH, /file \/qqqqqqqqqqqq\/arbor-evil SHA256 digest mismatch/);
  });

  it('refuses device nodes, which the store cannot hold', async () => {
    await refused(devices, RpmErrorCode.SPECIAL_FILE, /\/opt\/dev\/null is a character device/);
  });

  it('never follows a symlink already in the tree', async () => {
    const outside = path.join(work, 'outside');
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, path.join(tree, 'opt', 'victim'));
    snapshot = listTree(tree);
    try {
      await refused(victim, RpmErrorCode.PATH_UNSAFE, /\/opt\/victim is a symlink in the tree/);
      assert.deepEqual(fs.readdirSync(outside), []);
    } finally {
      fs.unlinkSync(path.join(tree, 'opt', 'victim'));
      snapshot = listTree(tree);
    }
  });

  it('refuses each of 60 random byte flips in gzip, zstd and xz payloads by the payload digest, leaving the tree as it was', async () => {
    let seed = 4242;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    for (const original of Object.values(victims)) {
      for (let round = 0; round < 20; round++) {
        const file = variant(`fuzz-${round}.rpm`, (bytes) => {
          const { main } = headerSpans(bytes);
          bytes[main.end + random(bytes.length - main.end)] ^= 1 << random(8);
          return bytes;
        }, original);
        await refused(file, RpmErrorCode.DIGEST_MISMATCH, /payload SHA256 digest mismatch/);
        fs.rmSync(file);
      }
    }
  });
});
