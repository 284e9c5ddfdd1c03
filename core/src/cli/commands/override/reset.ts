import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../../ArborCommand';
import { layerFlags, runLayerChange } from '../../LayerFlags';
import { ArborError } from '../../../errors/ArborError';
import { ErrorCode } from '../../../errors/codes';
import type { LayerChangeResult } from '../../../sysroot/layer/changeLayers';

export default class OverrideReset extends ArborCommand<typeof OverrideReset> {
  static override summary = 'Undo overrides: removed base packages come back, replaced ones return to the base\'s version.';
  static override description = 'A removal is reset by the package name; a replacement by its file (or by the package name when it is the only replacement).';
  static override examples = [
    { description: 'Bring a removed base package back', command: '<%= config.bin %> override reset nano' },
    { description: 'Go back to the base\'s own package after override replace', command: '<%= config.bin %> override reset libfoo' },
    { description: 'Undo every override', command: '<%= config.bin %> override reset --all' },
  ];

  static override strict = false;

  static override args = {
    packages: Args.string({ description: 'Package names or replacement FILE.rpm paths', required: false }),
  };

  static override flags = {
    ...layerFlags,
    all: Flags.boolean({ description: 'Reset every removal and replacement', default: false }),
  };

  async run(): Promise<LayerChangeResult> {
    const { argv } = await this.parse(OverrideReset);
    const items = argv as string[];
    if (this.flags.all === (items.length > 0)) {
      throw new ArborError(ErrorCode.USAGE, this.flags.all ? 'override reset takes packages or --all, not both' : 'override reset needs packages or --all', {
        hint: 'arbor override reset --help shows examples', exitCode: 2,
      });
    }
    return runLayerChange(this, this.flags, await this.loadArbor(), { kind: 'override-reset', items, all: this.flags.all });
  }
}
