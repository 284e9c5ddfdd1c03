import * as Args from '@oclif/core/args';
import { ArborCommand } from '../../ArborCommand';
import { layerFlags, runLayerChange } from '../../LayerFlags';
import type { LayerChangeResult } from '../../../sysroot/layer/changeLayers';

export default class OverrideReplace extends ArborCommand<typeof OverrideReplace> {
  static override summary = 'Replace base packages with local .rpm files of the same name; kept through upgrades until override reset.';
  static override examples = [
    { description: 'Replace a base package with a fixed build', command: '<%= config.bin %> override replace ./kernel-6.8.1-1.fc40.x86_64.rpm' },
    { description: 'On a sysroot being prepared', command: '<%= config.bin %> override replace ./openssl-libs-3.2.1-2.x86_64.rpm --sysroot /mnt/sysroot' },
  ];

  static override strict = false;

  static override args = {
    files: Args.string({ description: 'FILE.rpm paths (one or more)', required: true }),
  };

  static override flags = layerFlags;

  async run(): Promise<LayerChangeResult> {
    const { argv } = await this.parse(OverrideReplace);
    return runLayerChange(this, this.flags, await this.loadArbor(), { kind: 'override-replace', files: argv as string[] });
  }
}
