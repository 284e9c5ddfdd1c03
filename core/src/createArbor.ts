import { Arbor, type ArborOptions } from './Arbor';
import { ArborError } from './errors/ArborError';
import { ErrorCode } from './errors/codes';
import { assertPlugin, type PluginFactory } from './Plugin';
import { expandPlugins, type PluginEntry } from './config/expandPlugins';
import { loadConfig, type LoadConfigOptions, type LoadedConfig } from './config/loadConfig';
import { defaultExport, loadModule } from './config/resolveModule';

export interface ResolvedConfig extends LoadedConfig {
  plugins: PluginEntry[];
}

/** Loads the config and expands its presets, without applying anything. */
export async function resolveConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const loaded = await loadConfig(options);
  return { ...loaded, plugins: await expandPlugins(loaded) };
}

/** Builds an Arbor with every plugin of the resolved config applied, in order. */
export async function createArbor(
  options: LoadConfigOptions & ArborOptions = {},
): Promise<{ arbor: Arbor; config: ResolvedConfig }> {
  const config = await resolveConfig(options);
  const arbor = new Arbor(options);
  for (const entry of config.plugins) {
    const module = await loadModule(entry.id, 'plugin', config.dir);
    const factory = defaultExport(module?.exports) as PluginFactory | undefined;
    if (typeof factory !== 'function') {
      throw new ArborError(ErrorCode.PLUGIN_INVALID, `Plugin package ${entry.id} does not default-export a factory function`, {
        hint: 'export default (options) => ({ name: "arbor:x", apply(arbor) { ... } })',
      });
    }
    const plugin = factory(entry.options);
    assertPlugin(plugin, `Plugin package ${entry.id}`);
    arbor.use(plugin.version || !module?.version ? plugin : { ...plugin, version: module.version, options: plugin.options, apply: plugin.apply });
  }
  // Names that plugins define can only be checked once every plugin has registered its own.
  if (config.config.bootloader) arbor.bootloaders.assertKnown(config.config.bootloader, `${config.filepath ?? 'the config'} (bootloader)`);
  return { arbor, config };
}
