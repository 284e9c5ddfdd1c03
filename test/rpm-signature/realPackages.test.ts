import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RpmKeyring, verifyRpmSignature } from '@arbor/plugin-rpm';
import { FIXTURES } from '../support/runArbor';
import { requireTool } from '../support/requireTool';
import { removeTree } from '../support/tempDir';
import { SigningKit, tamperSignature, type Verdict } from './SigningKit';

const DIR = path.join(FIXTURES, 'rpm-signature');
const pkg = (name: string) => path.join(DIR, 'packages', name);
const key = (name: string) => path.join(DIR, 'keys', name);

/** Packages signed by rpm's and rpm-rs's test keys, where Debian's rpm 4.18 is the oracle and agrees. */
const AGREED: Array<{ file: string; keys: string[]; verdict: Verdict }> = [
  { file: 'hello-2.0-1.x86_64-signed.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'ok' },
  // An RSA header signature, a legacy header+payload one and an ML-DSA-87 one rpm 6 added: the RSA ones vouch.
  { file: 'hello-2.0-1.x86_64-signed-mldsa87.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'ok' },
  { file: 'hello-2.0-1.x86_64-signed.rpm', keys: ['alice.asc'], verdict: 'unknown-key' },
  { file: 'hello-2.0-1.x86_64.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'missing' },
  // V3 signature packets (header and header+payload), checked with node:crypto.
  { file: 'hello-2.0-1.x86_64-v3-signed.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'ok' },
  { file: 'hello-2.0-1.x86_64-v3-signed.rpm', keys: ['alice.asc'], verdict: 'unknown-key' },
  { file: 'v4-rpm-basic-with-ed25519-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v4-ed25519.asc'], verdict: 'ok' },
  { file: 'v4-rpm-basic-with-rsa4096-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v4-rsa4096.asc'], verdict: 'ok' },
  { file: 'v4-rpm-basic-with-rsa4096-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v4-ed25519.asc'], verdict: 'unknown-key' },
  // createrepo_c's signed test packages: their keys are not published, so both say NOKEY.
  { file: 'empty-signed-rsa-0-0.x86_64.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'unknown-key' },
  { file: 'empty-signed-eddsa-0-0.x86_64.rpm', keys: ['rpm.org-rsa-2048-test.pub'], verdict: 'unknown-key' },
];

/**
 * Where Debian's rpm 4.18 and we differ, each for a reason (docs/layering-rpm.md, "Signatures"):
 * the test pins both verdicts, so a change on either side shows here.
 */
const DIFFERENT: Array<{ file: string; keys: string[]; ours: Verdict; rpm418: Verdict; why: string }> = [
  { file: 'hello-2.0-1.x86_64-signed-with-subkey.rpm', keys: ['alice.asc'], ours: 'ok', rpm418: 'unknown-key', why: 'rpm 4.18 refuses to import alice.asc ("key 1 import failed")' },
  { file: 'hello-2.0-1.x86_64-signed-with-subkey.rpm', keys: ['alice-expired-subkey.asc'], ours: 'bad', rpm418: 'unknown-key', why: 'the subkey had expired when it signed; rpm 4.18 refuses to import the key' },
  { file: 'hello-2.0-1.x86_64-signed-with-subkey.rpm', keys: ['alice-revoked-subkey.asc'], ours: 'bad', rpm418: 'unknown-key', why: 'the subkey was revoked before it signed; rpm 4.18 refuses to import the key' },
  { file: 'hello-2.0-1.x86_64-signed-with-new-subkey.rpm', keys: ['rpm.org-rsa-2048-add-subkey.asc'], ours: 'ok', rpm418: 'unknown-key', why: 'rpm 4.18 refuses to import the key with its added ed25519 subkey' },
  { file: 'v4-rpm-basic-with-ecdsa-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v4-ecdsa-nistp256.asc'], ours: 'ok', rpm418: 'bad', why: 'rpm 4.18 does not read ECDSA signatures' },
  { file: 'v6-rpm-basic-with-ed25519-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v6-ed25519.asc'], ours: 'ok', rpm418: 'missing', why: 'rpm 4.18 predates the OPENPGP tag (278) and V6 keys' },
  { file: 'v6-rpm-basic-with-rsa4k-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v6-rsa4k.asc'], ours: 'ok', rpm418: 'missing', why: 'as above' },
  { file: 'v6-rpm-basic-multiple-signatures-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v6-ed25519.asc'], ours: 'ok', rpm418: 'missing', why: 'as above; the RSA signature is NOKEY, the Ed25519 one vouches' },
  { file: 'v6-rpm-basic-with-mldsa65-ed25519-2.3.4-5.el9.noarch.rpm', keys: ['rpm-rs-testkey-v6-ed25519.asc'], ours: 'unsupported', rpm418: 'missing', why: 'ML-DSA-65+Ed25519 (algorithm 30): openpgp.js does not parse it' },
];

async function ourVerdict(file: string, keys: string[]): Promise<Verdict> {
  const keyring = await RpmKeyring.read(keys.map((name) => ({ name, bytes: fs.readFileSync(key(name)) })));
  return (await verifyRpmSignature(pkg(file), keyring)).verdict;
}

describe('RPM signatures of rpm\'s and rpm-rs\'s signed test packages, against rpmkeys', function () {
  this.timeout(60_000);
  let work: string;
  let kit: SigningKit;

  before(function () {
    requireTool(this, 'rpmkeys');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-signature-real-'));
    kit = new SigningKit(work);
  });
  after(() => {
    if (work) removeTree(work);
  });

  for (const { file, keys, verdict } of AGREED) {
    it(`${file} with ${keys.join(', ')}: ${verdict}, as rpmkeys says`, async () => {
      assert.equal(kit.rpmkeysVerdict(pkg(file), keys.map(key)), verdict, 'rpmkeys -Kv');
      assert.equal(await ourVerdict(file, keys), verdict);
    });
  }

  it('hello-2.0-1.x86_64-v3-signed.rpm with its V3 header signature changed: bad, as rpmkeys says', async () => {
    const changed = await tamperSignature(pkg('hello-2.0-1.x86_64-v3-signed.rpm'), path.join(work, 'v3-changed.rpm'));
    assert.equal(kit.rpmkeysVerdict(changed, [key('rpm.org-rsa-2048-test.pub')]), 'bad', 'rpmkeys -Kv');
    const keyring = await RpmKeyring.read([{ name: 'rpm.org', bytes: fs.readFileSync(key('rpm.org-rsa-2048-test.pub')) }]);
    const report = await verifyRpmSignature(changed, keyring);
    assert.equal(report.verdict, 'bad');
    assert.deepEqual(report.signatures.map((check) => [check.tag, check.algorithm, check.status]), [['RSAHEADER', 'V3 RSA/SHA256', 'bad'], ['PGP', 'V3 RSA/SHA256', 'ok']]);
  });

  for (const { file, keys, ours, rpm418, why } of DIFFERENT) {
    it(`${file} with ${keys.join(', ')}: ${ours} (rpm 4.18: ${rpm418}; ${why})`, async () => {
      assert.equal(kit.rpmkeysVerdict(pkg(file), keys.map(key)), rpm418, 'rpmkeys -Kv');
      assert.equal(await ourVerdict(file, keys), ours);
    });
  }
});
