import * as Args from '@oclif/core/args';
import { ArborCommand } from '../ArborCommand';
import { layerFlags, runLayerChange } from '../LayerFlags';
import type { LayerChangeResult } from '../../sysroot/layer/changeLayers';

export default class Install extends ArborCommand<typeof Install> {
  static override summary = 'Layer packages on the deployment: from the repos its /etc/yum.repos.d names, or local .rpm files.';
  static override description = 'The base commit is checked out, the packages are installed into it by the layer plugin (rpm), and the result is committed and deployed as the new default. The requests are kept in the origin, so every upgrade applies them again to the new base.';
  static override examples = [
    { description: 'Layer a package from the configured repos', command: '<%= config.bin %> install htop' },
    { description: 'Layer a downloaded package file, staged for the next boot', command: '<%= config.bin %> install ./mytool-1.0-1.x86_64.rpm --stage' },
    { description: 'On a sysroot being prepared', command: '<%= config.bin %> install htop strace --sysroot /mnt/sysroot' },
  ];

  static override strict = false;

  static override args = {
    packages: Args.string({ description: 'PKG names or FILE.rpm paths (one or more)', required: true }),
  };

  static override flags = layerFlags;

  async run(): Promise<LayerChangeResult> {
    const { argv } = await this.parse(Install);
    return runLayerChange(this, this.flags, await this.loadArbor(), { kind: 'install', items: argv as string[] });
  }
}
