import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpmKeyring, verifyRpmSignature, type RpmSignatureReport } from '@arbor/plugin-rpm';
import { buildTestRepo } from '../compose/TestRpmRepo';
import { requireTool } from '../support/requireTool';
import { removeTree } from '../support/tempDir';
import { SigningKit, tamperHeader, tamperPayload, tamperSignature, type TestKey, type Verdict } from './SigningKit';

/** Our verdict on `rpm` with `keys` trusted; a damaged package (our reader throws) is "bad", as rpmkeys calls it. */
async function ourVerdict(rpm: string, keys: readonly string[]): Promise<{ verdict: Verdict; report?: RpmSignatureReport }> {
  const keyring = await RpmKeyring.read(keys.map((file) => ({ name: file, bytes: fs.readFileSync(file) })));
  try {
    const report = await verifyRpmSignature(rpm, keyring);
    return { verdict: report.verdict, report };
  } catch (error) {
    assert.match((error as { code?: string }).code ?? '', /^ARBOR_RPM_(DIGEST_MISMATCH|TRUNCATED|HEADER_INVALID)$/, String(error));
    return { verdict: 'bad' };
  }
}

/**
 * Keys made by gpg, packages built by rpmbuild and signed by rpmsign, and rpmkeys -Kv with the
 * trusted keys imported as the oracle: our verdict must be rpm's for every case.
 */
describe('RPM signatures agree with rpmkeys --checksig on packages signed by rpmsign', function () {
  this.timeout(120_000);
  let work: string;
  let kit: SigningKit;
  let rsa: TestKey;
  let ed: TestKey;
  let other: TestKey;
  let withSubkey: TestKey;
  let subkeyId: string;
  let unsigned: string;

  before(function () {
    requireTool(this, 'gpg', 'gpgconf', 'rpmsign', 'rpmkeys', 'rpmbuild', 'createrepo_c');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-signature-'));
    kit = new SigningKit(work);
    rsa = kit.generateKey('rsa', 'rsa2048');
    ed = kit.generateKey('ed', 'ed25519');
    other = kit.generateKey('other', 'ed25519');
    withSubkey = kit.generateKey('primary', 'ed25519');
    subkeyId = kit.addSigningSubkey(withSubkey, 'rsa2048');
    [unsigned] = buildTestRepo(path.join(work, 'repo'), [{ name: 'signme', version: '1.0', files: { '/usr/share/signme/readme': 'Arbor signature test\n' } }], path.join(work, 'build'));
  });
  after(() => {
    kit?.close();
    if (work) removeTree(work);
  });

  const cases: Array<{ name: string; make: () => Promise<string> | string; trust: () => string[]; expected: Verdict }> = [
    { name: 'RSA 2048, key trusted', make: () => kit.sign(unsigned, path.join(work, 'rsa.rpm'), rsa.email), trust: () => [rsa.publicKey], expected: 'ok' },
    { name: 'ed25519, key trusted', make: () => kit.sign(unsigned, path.join(work, 'ed.rpm'), ed.email), trust: () => [ed.publicKey], expected: 'ok' },
    { name: 'signed by an RSA subkey, its primary key trusted', make: () => kit.sign(unsigned, path.join(work, 'sub.rpm'), `${subkeyId}!`), trust: () => [withSubkey.publicKey], expected: 'ok' },
    { name: 'unsigned', make: () => unsigned, trust: () => [rsa.publicKey], expected: 'missing' },
    { name: 'signed by a key that is not trusted', make: () => kit.sign(unsigned, path.join(work, 'wrong.rpm'), other.email), trust: () => [rsa.publicKey, ed.publicKey], expected: 'unknown-key' },
    { name: 'header changed after signing', make: () => tamperHeader(kit.sign(unsigned, path.join(work, 'h.rpm'), rsa.email), path.join(work, 'h-bad.rpm'), 'Arbor test package'), trust: () => [rsa.publicKey], expected: 'bad' },
    { name: 'payload changed after signing', make: () => tamperPayload(kit.sign(unsigned, path.join(work, 'p.rpm'), ed.email), path.join(work, 'p-bad.rpm')), trust: () => [ed.publicKey], expected: 'bad' },
    { name: 'RSA signature bytes changed (digests intact)', make: () => tamperSignature(kit.sign(unsigned, path.join(work, 's.rpm'), rsa.email), path.join(work, 's-bad.rpm')), trust: () => [rsa.publicKey], expected: 'bad' },
    { name: 'ed25519 signature bytes changed (digests intact)', make: () => tamperSignature(kit.sign(unsigned, path.join(work, 'e.rpm'), ed.email), path.join(work, 'e-bad.rpm')), trust: () => [ed.publicKey], expected: 'bad' },
  ];

  for (const { name, make, trust, expected } of cases) {
    it(`${name}: ${expected}, as rpmkeys says`, async () => {
      const rpm = await make();
      const oracle = kit.rpmkeysVerdict(rpm, trust());
      assert.equal(oracle, expected, 'rpmkeys -Kv');
      const ours = await ourVerdict(rpm, trust());
      assert.equal(ours.verdict, oracle, JSON.stringify(ours.report));
    });
  }

  it('reports the subkey as the issuer when a subkey signed', async () => {
    const rpm = kit.sign(unsigned, path.join(work, 'sub-issuer.rpm'), `${subkeyId}!`);
    const { report } = await ourVerdict(rpm, [withSubkey.publicKey]);
    assert.notEqual(subkeyId, withSubkey.keyId);
    assert.deepEqual(report?.signatures.map((check) => [check.tag, check.keyId, check.status]), [['RSAHEADER', subkeyId, 'ok']]);
  });

  it('names the key ID that signed, and trusts a key from a file holding several armored keys', async () => {
    const rpm = kit.sign(unsigned, path.join(work, 'named.rpm'), ed.email);
    const both = path.join(work, 'both.asc');
    fs.writeFileSync(both, fs.readFileSync(rsa.publicKey, 'utf8') + fs.readFileSync(ed.publicKey, 'utf8'));
    const { report } = await ourVerdict(rpm, [both]);
    assert.equal(report?.verdict, 'ok');
    assert.deepEqual(report?.signatures.map((check) => [check.tag, check.keyId, check.status]), [['DSAHEADER', ed.keyId, 'ok']]);
  });
});
