import { ArborCommand, Flags } from '@arbor/core/cli';
import { generateKeyPair } from '../../Ed25519Key';

export default class KeyGenerate extends ArborCommand<typeof KeyGenerate> {
  static override summary = 'Make an ed25519 key pair for signing commits and summaries.';
  static override description = 'Writes KEYFILE (the private key, PKCS#8 PEM, mode 0600) and KEYFILE.pub (the public key, for `arbor remote add --verify-key`).';
  static override examples = [
    { description: 'Make a signing key', command: '<%= config.bin %> key generate --out /etc/arbor/signing.key' },
    { description: 'Sign a commit with it', command: '<%= config.bin %> sign os/main --repo /srv/repo --sign-key /etc/arbor/signing.key' },
  ];

  static override flags = {
    out: Flags.string({ description: 'Where to write the private key; the public key goes to OUT.pub', required: true, helpValue: 'KEYFILE' }),
  };

  async run(): Promise<{ privateKey: string; publicKey: string; keyId: string }> {
    const result = generateKeyPair(this.flags.out);
    if (!this.jsonEnabled()) this.log(`wrote ${result.privateKey} and ${result.publicKey} (key ${result.keyId})`);
    return result;
  }
}
