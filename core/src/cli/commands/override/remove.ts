import * as Args from '@oclif/core/args';
import { ArborCommand } from '../../ArborCommand';
import { layerFlags, runLayerChange } from '../../LayerFlags';
import type { LayerChangeResult } from '../../../sysroot/layer/changeLayers';

export default class OverrideRemove extends ArborCommand<typeof OverrideRemove> {
  static override summary = 'Take base packages out of the deployment; kept through upgrades until override reset.';
  static override examples = [
    { description: 'Remove a base package', command: '<%= config.bin %> override remove nano' },
    { description: 'Remove two, staged for the next boot', command: '<%= config.bin %> override remove nano vim-minimal --stage' },
  ];

  static override strict = false;

  static override args = {
    packages: Args.string({ description: 'Names of base packages (one or more)', required: true }),
  };

  static override flags = layerFlags;

  async run(): Promise<LayerChangeResult> {
    const { argv } = await this.parse(OverrideRemove);
    return runLayerChange(this, this.flags, await this.loadArbor(), { kind: 'override-remove', names: argv as string[] });
  }
}
