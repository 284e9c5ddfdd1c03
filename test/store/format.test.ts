import assert from 'node:assert/strict';
import {
  RepoConfig,
  blake3,
  canonicalJson,
  decodeCommit,
  decodeDirMeta,
  decodeDirTree,
  decodeFileHeader,
  encodeCommit,
  encodeDirMeta,
  encodeDirTree,
  encodeFileHeader,
} from '@arbor/core';

/**
 * Golden bytes and IDs from docs/format.md. They pin format version 1: a change here changes
 * every object ID ever written, so it must come with a new version, not a silent edit.
 */
describe('store format v1 (docs/format.md)', () => {
  it('encodes a file header as §3.1 lays it out, and hashes header ‖ content', () => {
    const header = encodeFileHeader({ mode: 0o100644, uid: 0, gid: 0, size: 6, target: '', xattrs: [] });
    assert.equal(header.toString('hex'), [
      '61726266', '01', '000081a4', '00000000', '00000000', '0000000000000006', '00000000', '00000000',
    ].join(''));
    assert.equal(blake3(Buffer.concat([header, Buffer.from('hello\n')])).toString('hex'), '82160f39f9d4fc55b1e0846ac6e1b95be1e792c0b9742f90c1920af06a219ed0');
    const link = encodeFileHeader({ mode: 0o120777, uid: 0, gid: 0, size: 0, target: 'a', xattrs: [['security.selinux', Buffer.from('x\0')]] });
    assert.equal(link.toString('hex'), [
      '61726266', '01', '0000a1ff', '00000000', '00000000', '0000000000000000', '00000001', '61',
      '00000001', '0010', Buffer.from('security.selinux').toString('hex'), '00000002', '7800',
    ].join(''));
    assert.deepEqual(decodeFileHeader(link, 'test').meta.target, 'a');
  });

  it('gives the empty dirtree and the root-owned 0755 dirmeta fixed IDs', () => {
    const empty = encodeDirTree({ files: [], dirs: [] });
    assert.equal(empty.toString('hex'), '617262740100000000');
    assert.equal(blake3(empty).toString('hex'), '26ac0427066b74795d3b2971a588db2dd638fd731c2c9f9311655d20f98e8ad6');
    const meta = encodeDirMeta({ mode: 0o40755, uid: 0, gid: 0, xattrs: [] });
    assert.equal(blake3(meta).toString('hex'), '402629a6bba6148f6f6abce9adf382baf14411a7648b02158bb84851bd6e9b07');
    assert.deepEqual(decodeDirMeta(meta, 'test'), { mode: 0o40755, uid: 0, gid: 0, xattrs: [] });
  });

  it('sorts dirtree entries by bytes whatever order they come in, and decodes them back', () => {
    const id = 'ab'.repeat(32);
    const one = encodeDirTree({ files: [{ name: 'b', file: id }, { name: '\xe9', file: id }], dirs: [{ name: 'a', tree: id, meta: id }] });
    const two = encodeDirTree({ files: [{ name: '\xe9', file: id }, { name: 'b', file: id }], dirs: [{ name: 'a', tree: id, meta: id }] });
    assert.ok(one.equals(two));
    const tree = decodeDirTree(one, 'test');
    assert.deepEqual(tree.files.map((file) => file.name), ['b', '\xe9']);
    assert.deepEqual(tree.dirs.map((dir) => dir.name), ['a']);
    assert.throws(() => encodeDirTree({ files: [{ name: 'x', file: id }], dirs: [{ name: 'x', tree: id, meta: id }] }), /Duplicate directory entry "x"/);
  });

  it('writes commit metadata as canonical JSON, so key order never changes a commit ID', () => {
    assert.equal(canonicalJson({ b: [1, 2, { d: null, c: 'é' }], a: true, é: 1.5 }), '{"a":true,"b":[1,2,{"c":"é","d":null}],"é":1.5}');
    const base = { parent: null, timestamp: 1_700_000_000, rootTree: '11'.repeat(32), rootMeta: '22'.repeat(32), subject: 's', body: '' };
    const one = encodeCommit({ ...base, metadata: { version: '1', packages: ['a', 'b'] } });
    const two = encodeCommit({ ...base, metadata: { packages: ['a', 'b'], version: '1' } });
    assert.ok(one.equals(two));
    assert.deepEqual(decodeCommit(one, 'test').metadata, { packages: ['a', 'b'], version: '1' });
    assert.throws(() => canonicalJson({ when: new Date(0) }), /metadata.when: a Date object is not JSON/);
    assert.throws(() => canonicalJson({ n: Number.NaN }), /not a finite number/);
  });

  it('keeps config sections it does not know when rewriting', () => {
    const config = RepoConfig.parse('[core]\nrepo_version=1\nmode=archive\n\n[remote "origin"]\nurl=https://example.com/repo\n', 'config');
    config.set('core', 'compression_level', '5');
    assert.equal(config.toString(), '[core]\nrepo_version=1\nmode=archive\ncompression_level=5\n\n[remote "origin"]\nurl=https://example.com/repo\n');
  });
});
