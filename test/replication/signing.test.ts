import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor, mergeSignature, type ArborError, type VerifyRequest } from '@arbor/core';
import ed25519Plugin, { generateKeyPair, readPrivateKey, readPublicKey, sign } from '@arbor/plugin-ed25519';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

function readPublicKeyId(privateFile: string): string {
  const der = readPublicKey(`${privateFile}.pub`).key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32).toString('hex');
}

describe('ed25519 keys and signatures', () => {
  const tmp = useTempDir('arbor-signing-');

  function keyPair(name: string) {
    const file = path.join(tmp(), name);
    generateKeyPair(file);
    return { privateKey: readPrivateKey(file), publicPem: readPublicKey(`${file}.pub`).pem, file };
  }

  function request(fields: Partial<VerifyRequest>): VerifyRequest {
    return {
      remote: 'origin', source: 'remote origin', kind: 'commit', commitId: 'c0ffee', data: Buffer.from('commit bytes'), signatures: [],
      policy: { noVerify: false, keys: [] }, ...fields,
    };
  }

  function verifier(): Arbor {
    return new Arbor().use(ed25519Plugin());
  }

  it('`arbor key generate` writes a 0600 private key and a PEM public key, and never overwrites a key', () => {
    const out = path.join(tmp(), 'keys', 'signing.key');
    const run = runArbor(['key', 'generate', '--out', out, '--json']);
    assert.equal(run.status, 0, run.stderr);
    const result = run.json<{ publicKey: string; keyId: string }>();
    assert.equal(result.publicKey, `${out}.pub`);
    assert.match(result.keyId, /^[0-9a-f]{64}$/);
    assert.equal(fs.statSync(out).mode & 0o777, 0o600);
    assert.match(fs.readFileSync(`${out}.pub`, 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
    const again = runArbor(['key', 'generate', '--out', out]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^Error: .*signing\.key already exists/);
  });

  it('accepts a commit signed by the remote\'s key and records who vouched for it', async () => {
    const key = keyPair('a.key');
    const data = Buffer.from('commit bytes');
    const signatures = [sign(data, key.privateKey)];
    const checked = request({ data, signatures, policy: { noVerify: false, keys: [{ type: 'ed25519', key: key.publicPem }] } });
    assert.deepEqual(await verifier().hooks.verify.promise([], checked, new Arbor().context()), ['arbor:ed25519']);
  });

  it('refuses an unsigned commit, a tampered one, and another key\'s signature', async () => {
    const trusted = keyPair('trusted.key');
    const other = keyPair('other.key');
    const policy = { noVerify: false, keys: [{ type: 'ed25519', key: trusted.publicPem }] };
    const data = Buffer.from('commit bytes');
    const cases: [string, VerifyRequest, string, RegExp][] = [
      ['unsigned', request({ policy }), 'ARBOR_VERIFY_UNSIGNED', /commit c0ffee from remote origin has no ed25519 signature/],
      ['tampered', request({ policy, data: Buffer.from('commit bytez'), signatures: [sign(data, trusted.privateKey)] }),
        'ARBOR_VERIFY_BAD_SIGNATURE', /no valid signature by a trusted key/],
      ['wrong key', request({ policy, data, signatures: [sign(data, other.privateKey)] }),
        'ARBOR_VERIFY_BAD_SIGNATURE', /signed by [0-9a-f]{16}\)$/],
    ];
    for (const [label, checked, code, message] of cases) {
      await assert.rejects(verifier().hooks.verify.promise([], checked, new Arbor().context()), (error: ArborError) => {
        assert.equal(error.code, code, label);
        assert.match(error.message, /^During verification \(arbor:ed25519\): /, label);
        assert.match(error.message, message, label);
        return true;
      });
    }
  });

  it('leaves remotes added with --no-verify to pull, vouching for nothing', async () => {
    const checked = request({ policy: { noVerify: true, keys: [] } });
    assert.deepEqual(await verifier().hooks.verify.promise([], checked, new Arbor().context()), []);
  });

  it('keeps one signature per key when re-signing, so co-signing during key rotation works', () => {
    const first = keyPair('first.key');
    const second = keyPair('second.key');
    const payload = Buffer.from('summary');
    let list = mergeSignature([], sign(payload, first.privateKey));
    list = mergeSignature(list, sign(payload, second.privateKey));
    list = mergeSignature(list, sign(payload, first.privateKey));
    assert.deepEqual(list.map((entry) => entry.keyId.toString('hex')), [second, first].map((key) => readPublicKeyId(key.file)));
  });
});
