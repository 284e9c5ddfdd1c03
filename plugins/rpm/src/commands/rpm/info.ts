import { ArborCommand, Args } from '@arbor/core/cli';
import { readRpmInfo, type RpmPackageInfo } from '../../readRpmInfo';

export default class RpmInfoCommand extends ArborCommand<typeof RpmInfoCommand> {
  static override summary = 'Show what an RPM package holds: NEVRA, dependencies, scriptlets and files, with its digests checked.';
  static override examples = [
    { description: 'Read a package', command: '<%= config.bin %> rpm info bash-5.2.26-3.fc40.x86_64.rpm' },
    { description: 'Everything, machine-readable', command: '<%= config.bin %> rpm info bash-5.2.26-3.fc40.x86_64.rpm --json' },
  ];

  static override args = {
    file: Args.string({ description: 'The .rpm file', required: true }),
  };

  async run(): Promise<RpmPackageInfo> {
    const info = await readRpmInfo(this.args.file);
    if (!this.jsonEnabled()) {
      const epoch = info.epoch === null ? '' : `${info.epoch}:`;
      this.log(`${info.name}-${epoch}${info.version}-${info.release}.${info.arch}${info.summary ? `: ${info.summary}` : ''}`);
      this.log(`payload: ${info.payloadCompressor ?? 'uncompressed'}; verified: ${info.verified.join(', ') || 'no digests recorded'}`);
      this.log(`requires ${info.requires.length}, provides ${info.provides.length}, scriptlets: ${Object.keys(info.scripts).join(', ') || 'none'}`);
      for (const file of info.files) {
        const link = file.linkTo ? ` -> ${file.linkTo}` : '';
        this.log(`${file.mode.toString(8).padStart(7, '0')} ${file.user}:${file.group} ${String(file.size).padStart(10)} ${file.path}${link}`);
      }
    }
    return info;
  }
}
