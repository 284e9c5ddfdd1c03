import { ArborCommand } from '../../ArborCommand';
import { describeConfig, type ConfigDescription } from '../../../describeConfig';

export default class ConfigShow extends ArborCommand<typeof ConfigShow> {
  static override summary = 'Print the resolved config: the file found, presets expanded into plugins.';
  static override examples = [
    { description: 'Show where the config came from and what it resolves to', command: '<%= config.bin %> config show' },
    { description: 'As JSON', command: '<%= config.bin %> config show --json' },
  ];

  async run(): Promise<ConfigDescription> {
    const { resolveConfig } = require('../../../createArbor.js') as typeof import('../../../createArbor.js');
    const description = describeConfig(await resolveConfig({ configPath: this.flags.config }));
    if (!this.jsonEnabled()) {
      this.log(`config: ${description.file ?? '(none found; defaults)'}`);
      this.log(`presets: ${description.presets.join(', ')}`);
      if (description.bootloader) this.log(`bootloader: ${description.bootloader}`);
      if (description.esp) this.log(`esp: ${description.esp}`);
      this.log('plugins:');
      for (const plugin of description.plugins) {
        const options = Object.keys(plugin.options).length ? ` ${JSON.stringify(plugin.options)}` : '';
        this.log(`  ${plugin.id} (from ${plugin.from})${options}`);
      }
    }
    return description;
  }
}
