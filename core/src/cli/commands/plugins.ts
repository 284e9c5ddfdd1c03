import { ArborCommand } from '../ArborCommand';
import { renderTable } from '../renderTable';
import { describePlugins, type PluginDescription } from '../../describePlugins';

export default class Plugins extends ArborCommand<typeof Plugins> {
  static override summary = 'List the plugins in use and the hooks each one taps, in tap order.';
  static override examples = [
    { description: 'Show plugins and their hooks', command: '<%= config.bin %> plugins' },
    { description: 'Machine-readable, for scripts', command: '<%= config.bin %> plugins --json' },
    { description: 'With a specific config file', command: '<%= config.bin %> plugins --config ./arbor.config.yaml' },
  ];

  async run(): Promise<PluginDescription[]> {
    const { arbor } = await this.loadArbor();
    const plugins = describePlugins(arbor);
    if (!this.jsonEnabled()) {
      if (plugins.length === 0) this.log('No plugins (the config names none, and no preset adds any).');
      else this.log(renderTable(['PLUGIN', 'VERSION', 'HOOKS'], plugins.map((p) => [p.name, p.version ?? '', p.hooks.join(', ')])));
      const writers = plugins.flatMap((p) => (p.bootloaders ?? []).map((writer) => [writer.name, p.name, writer.atomic ? 'yes' : 'no', writer.writes.join(', ')]));
      if (plugins.length && writers.length) this.log(`\n${renderTable(['BOOTLOADER', 'PLUGIN', 'ATOMIC', 'WRITES'], writers)}`);
    }
    return plugins;
  }
}
