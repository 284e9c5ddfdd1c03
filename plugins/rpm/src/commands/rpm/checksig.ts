import { ArborCommand, Args, Flags } from '@arbor/core/cli';
import { checkRpmSignatures, type CheckSigResult } from '../../signature/checkRpmSignatures';

export default class RpmCheckSigCommand extends ArborCommand<typeof RpmCheckSigCommand> {
  static override summary = 'Check RPM packages\' digests and OpenPGP signatures against the given keys; exit 1 if any fails.';
  static override description =
    'As `rpmkeys --checksig` with only the --key files imported: a package passes when its digests match and at least one of its signatures verifies with a given key, and none is bad.';
  static override examples = [
    { description: 'Check a package against a distribution key', command: '<%= config.bin %> rpm checksig bash-5.2.26-3.fc40.x86_64.rpm --key /etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-40-primary' },
    { description: 'Several packages and keys, machine-readable', command: '<%= config.bin %> rpm checksig *.rpm --key old.asc --key new.asc --json' },
  ];

  static override strict = false;

  static override args = {
    files: Args.string({ description: 'The .rpm files (one or more)', required: true }),
  };

  static override flags = {
    key: Flags.string({ description: 'An OpenPGP public key file, armored or binary (repeatable; a file may hold several keys)', required: true, multiple: true }),
  };

  async run(): Promise<CheckSigResult> {
    const { argv } = await this.parse(RpmCheckSigCommand);
    const result = await checkRpmSignatures(argv as string[], this.flags.key);
    if (!this.jsonEnabled()) {
      for (const report of result.packages) {
        const signatures = report.signatures.filter((check) => check.status === 'ok').map((check) => `${check.tag} ${check.algorithm}, key ID ${check.keyId}`);
        const line = report.verdict === 'ok'
          ? `digests OK (${report.digests.join(', ')}); signature OK (${signatures.join(', ')})`
          : `NOT OK: ${report.problem}`;
        this.log(`${report.file}: ${line}`);
      }
    }
    if (!result.ok) process.exitCode = 1;
    return result;
  }
}
