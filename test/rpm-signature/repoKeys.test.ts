import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseRepoFile, readDeploymentFile, RpmKeyring } from '@arbor/plugin-rpm';
import { FIXTURES } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

const KEYS = path.join(FIXTURES, 'rpm-signature', 'keys');

describe('gpgkey= in .repo files', () => {
  it('reads several key URLs separated by spaces, commas and continuation lines, with variables substituted', () => {
    const [repo] = parseRepoFile('/etc/yum.repos.d/fedora.repo', [
      '[fedora]',
      'baseurl=https://example.org/$releasever/$basearch/',
      'gpgcheck=1',
      'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch, https://example.org/key2.asc',
      '       file:///usr/share/keys/third.asc',
    ].join('\n'), { releasever: '41', basearch: 'x86_64' });
    assert.equal(repo!.gpgcheck, true);
    assert.equal(repo!.gpgcheckLine, 3);
    assert.equal(repo!.gpgkeyLine, 4);
    assert.deepEqual(repo!.gpgkeys, ['file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-41-x86_64', 'https://example.org/key2.asc', 'file:///usr/share/keys/third.asc']);
  });

  it('refuses a gpgkey that is not a file, http or https URL, naming the file and the line', () => {
    assert.throws(() => parseRepoFile('/etc/yum.repos.d/x.repo', '[x]\nbaseurl=file:///r\ngpgkey=/etc/pki/key\n', {}),
      (error: Error & { code?: string }) => error.code === 'ARBOR_LAYER_REPO_CONFIG_INVALID' && /x\.repo:3: key gpgkey of \[x\] is "\/etc\/pki\/key"/.test(error.message));
  });
});

describe('Key files', () => {
  it('reads armored files holding several keys, binary keys, and subkeys', async () => {
    const armored = fs.readFileSync(path.join(KEYS, 'rpm-rs-testkey-v4-ed25519.asc'), 'utf8') + fs.readFileSync(path.join(KEYS, 'rpm-rs-testkey-v4-rsa4096.asc'), 'utf8');
    const keyring = await RpmKeyring.read([
      { name: 'two.asc', bytes: Buffer.from(armored) },
      { name: 'rpm.org-rsa-2048-add-subkey.asc', bytes: fs.readFileSync(path.join(KEYS, 'rpm.org-rsa-2048-add-subkey.asc')) },
      { name: 'rpm.org-rsa-2048-test.pgp', bytes: fs.readFileSync(path.join(KEYS, 'rpm.org-rsa-2048-test.pgp')) },
    ]);
    assert.deepEqual(keyring.primaryKeyIds, ['522e846427933839', 'e964f9fb30d073b5', '4344591e1964c5fc', '4344591e1964c5fc']);
    // The ed25519 signing subkey rpm's hello-2.0-1.x86_64-signed-with-new-subkey.rpm is signed with.
    assert.equal(keyring.keysWithId('6323c42711450b6c')[0]?.getKeyID().toHex(), '4344591e1964c5fc');
  });

  it('refuses a file that holds no key, and one over 1 MiB, naming it', async () => {
    await assert.rejects(RpmKeyring.read([{ name: 'notes.txt', bytes: Buffer.from('not a key\n') }]), (error: Error & { code?: string }) => error.code === 'ARBOR_RPM_KEY_INVALID' && /Key file notes\.txt: not an OpenPGP key/.test(error.message));
    await assert.rejects(RpmKeyring.read([{ name: 'big.asc', bytes: Buffer.alloc(1024 * 1024 + 1, 0x41) }]), (error: Error & { code?: string }) => error.code === 'ARBOR_RPM_KEY_INVALID' && /big\.asc: more than 1048576 bytes/.test(error.message));
  });
});

describe('file:// keys are read on the deployment, as a chroot would', () => {
  const temp = useTempDir('arbor-deployment-file-');

  function deployment(): { tree: string; configRoot: string } {
    const tree = path.join(temp(), 'tree');
    const configRoot = path.join(temp(), 'etc');
    fs.mkdirSync(path.join(tree, 'usr/share/keys'), { recursive: true });
    fs.mkdirSync(path.join(configRoot, 'pki/rpm-gpg'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'usr/share/keys/os.asc'), 'the OS key\n');
    fs.writeFileSync(path.join(configRoot, 'passwd'), 'the deployment passwd\n');
    return { tree, configRoot };
  }

  it('follows relative and absolute links from /etc into /usr', () => {
    const roots = deployment();
    fs.symlinkSync('/usr/share/keys/os.asc', path.join(roots.configRoot, 'pki/rpm-gpg/absolute'));
    fs.symlinkSync('../../../usr/share/keys/os.asc', path.join(roots.configRoot, 'pki/rpm-gpg/relative'));
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/absolute', 100)?.toString(), 'the OS key\n');
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/relative', 100)?.toString(), 'the OS key\n');
  });

  it('never leaves the deployment: .. stops at its root, and a link to /etc/passwd is the deployment\'s', () => {
    const roots = deployment();
    fs.symlinkSync('../../../../../../../../../../etc/passwd', path.join(roots.configRoot, 'pki/rpm-gpg/climb'));
    fs.symlinkSync('/etc/passwd', path.join(roots.configRoot, 'pki/rpm-gpg/host'));
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/climb', 100)?.toString(), 'the deployment passwd\n');
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/host', 100)?.toString(), 'the deployment passwd\n');
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/missing', 100), undefined);
    fs.symlinkSync('loop', path.join(roots.configRoot, 'pki/rpm-gpg/loop'));
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/loop', 100), undefined);
  });

  it('reads at most maxBytes + 1 bytes', () => {
    const roots = deployment();
    fs.writeFileSync(path.join(roots.configRoot, 'pki/rpm-gpg/big'), Buffer.alloc(5000, 0x41));
    assert.equal(readDeploymentFile(roots, '/etc/pki/rpm-gpg/big', 100)?.length, 101);
  });
});
