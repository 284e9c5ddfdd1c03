import assert from 'node:assert/strict';
import path from 'node:path';
import type { CheckSigResult } from '@arbor/plugin-rpm';
import { FIXTURES, runArbor } from '../support/runArbor';

const DIR = path.join(FIXTURES, 'rpm-signature');
const pkg = (name: string) => path.join(DIR, 'packages', name);
const key = (name: string) => path.join(DIR, 'keys', name);

describe('arbor rpm checksig', () => {
  it('prints digests and the signing key per package, and exits 0 when all pass', () => {
    const run = runArbor(['rpm', 'checksig', pkg('hello-2.0-1.x86_64-signed.rpm'), pkg('v4-rpm-basic-with-ed25519-2.3.4-5.el9.noarch.rpm'),
      '--key', key('rpm.org-rsa-2048-test.pub'), '--key', key('rpm-rs-testkey-v4-ed25519.asc')]);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /hello-2\.0-1\.x86_64-signed\.rpm: digests OK \(header SHA256, header SHA1, payload SHA256\); signature OK \(RSAHEADER V4 RSA\/SHA256, key ID 4344591e1964c5fc, PGP V4 RSA\/SHA256, key ID 4344591e1964c5fc\)$/);
    assert.match(lines[1]!, /signature OK \(DSAHEADER V4 EdDSA\/SHA512, key ID 522e846427933839\)$/);
  });

  it('exits 1 when any package fails, saying what is wrong with each, and --json gives every verdict', () => {
    const files = [pkg('hello-2.0-1.x86_64-signed.rpm'), pkg('hello-2.0-1.x86_64.rpm'), pkg('v4-rpm-basic-with-rsa4096-2.3.4-5.el9.noarch.rpm')];
    const human = runArbor(['rpm', 'checksig', ...files, '--key', key('rpm.org-rsa-2048-test.pub')]);
    assert.equal(human.status, 1);
    assert.match(human.stdout, /hello-2\.0-1\.x86_64\.rpm: NOT OK: the package is not signed/);
    assert.match(human.stdout, /rsa4096.*: NOT OK: signed with key ID e964f9fb30d073b5, which is not among the trusted keys/);

    const json = runArbor(['rpm', 'checksig', ...files, '--key', key('rpm.org-rsa-2048-test.pub'), '--json']);
    assert.equal(json.status, 1);
    const result = json.json<CheckSigResult>();
    assert.equal(result.ok, false);
    assert.deepEqual(result.keys, ['4344591e1964c5fc']);
    assert.deepEqual(result.packages.map((report) => report.verdict), ['ok', 'missing', 'unknown-key']);
  });

  it('reports a damaged package as bad without stopping, and refuses a key file that is not a key', () => {
    const run = runArbor(['rpm', 'checksig', path.join(FIXTURES, 'rpm-signature', 'SOURCES.md'), pkg('hello-2.0-1.x86_64-signed.rpm'), '--key', key('rpm.org-rsa-2048-test.pub'), '--json']);
    assert.equal(run.status, 1);
    assert.deepEqual(run.json<CheckSigResult>().packages.map((report) => report.verdict), ['bad', 'ok']);
    const badKey = runArbor(['rpm', 'checksig', pkg('hello-2.0-1.x86_64-signed.rpm'), '--key', path.join(DIR, 'SOURCES.md')]);
    assert.equal(badKey.status, 1);
    assert.match(badKey.stderr, /^Error: Key file .*SOURCES\.md: not an OpenPGP key .*\[ARBOR_RPM_KEY_INVALID\]/);
  });

  it('has help with examples', () => {
    const run = runArbor(['rpm', 'checksig', '--help']);
    assert.equal(run.status, 0);
    assert.match(run.stdout, /arbor rpm checksig FILES\.\.\. --key <value>\.\.\./);
    assert.match(run.stdout, /EXAMPLES/);
  });
});
