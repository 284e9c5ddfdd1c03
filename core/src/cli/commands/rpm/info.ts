import * as Args from '@oclif/core/args';
import { ArborCommand } from '../../ArborCommand';
import { ArborError } from '../../../errors/ArborError';
import { ErrorCode } from '../../../errors/codes';

/** The part of @arbor/plugin-rpm this command uses; core never depends on the plugin at build time. */
interface RpmReader {
  readRpmInfo(file: string): Promise<RpmInfo>;
}

interface RpmInfo {
  name: string;
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
  summary: string | null;
  payloadCompressor: string | null;
  verified: string[];
  requires: unknown[];
  provides: unknown[];
  scripts: Record<string, unknown>;
  files: Array<{ path: string; mode: number; size: number; user: string; group: string; linkTo: string | null }>;
  [field: string]: unknown;
}

export default class RpmInfoCommand extends ArborCommand<typeof RpmInfoCommand> {
  static override summary = 'Show what an RPM package holds: NEVRA, dependencies, scriptlets and files, with its digests checked.';
  static override examples = [
    { description: 'Read a package', command: '<%= config.bin %> rpm info bash-5.2.26-3.fc40.x86_64.rpm' },
    { description: 'Everything, machine-readable', command: '<%= config.bin %> rpm info bash-5.2.26-3.fc40.x86_64.rpm --json' },
  ];

  static override args = {
    file: Args.string({ description: 'The .rpm file', required: true }),
  };

  async run(): Promise<RpmInfo> {
    const { readRpmInfo } = await loadRpmReader();
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

/** Loads the RPM plugin lazily, as config loading would: the project's copy first, then Arbor's own. */
async function loadRpmReader(): Promise<RpmReader> {
  const { loadModule } = require('../../../config/resolveModule.js') as typeof import('../../../config/resolveModule.js');
  const found = await loadModule('rpm', 'plugin', process.cwd());
  const reader = found?.exports as Partial<RpmReader> | undefined;
  if (typeof reader?.readRpmInfo !== 'function') {
    throw new ArborError(ErrorCode.PLUGIN_NOT_FOUND, 'Reading RPMs needs @arbor/plugin-rpm, which is not installed', {
      hint: 'npm install @arbor/plugin-rpm',
    });
  }
  return reader as RpmReader;
}
