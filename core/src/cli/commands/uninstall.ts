import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { layerFlags, runLayerChange } from '../LayerFlags';
import type { LayerChangeResult } from '../../sysroot/layer/changeLayers';

export default class Uninstall extends ArborCommand<typeof Uninstall> {
  static override summary = 'Drop layered packages: the deployment is made again from its base without them.';
  static override description = 'Names a request of `arbor install`: a package name, or a local package by its file (the same .rpm, or the /arbor/packages path arbor status shows). With no requests left, the base itself is deployed.';
  static override examples = [
    { description: 'Drop a layered package', command: '<%= config.bin %> uninstall htop' },
    { description: 'Drop a package installed from a file, by its name', command: '<%= config.bin %> uninstall localtool' },
    { description: 'or by the file itself (the same bytes)', command: '<%= config.bin %> uninstall ./localtool-0.9-1.noarch.rpm' },
  ];

  static override strict = false;

  static override args = {
    packages: Args.string({ description: 'PKG names or FILE.rpm paths that were installed (one or more)', required: true }),
  };

  static override flags = layerFlags;

  async run(): Promise<LayerChangeResult> {
    const { argv } = await this.parse(Uninstall);
    return runLayerChange(this, this.flags, await this.loadArbor(), { kind: 'uninstall', items: argv as string[] });
  }
}
