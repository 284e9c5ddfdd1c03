import type { Arbor } from './Arbor';

export interface PluginDescription {
  name: string;
  version?: string;
  /** Hooks this plugin taps, as `hook`, `hook:key` for HookMaps, with `@stage` when not 0. */
  hooks: string[];
}

/** The plugins in the order they were applied, each with the hooks it taps (`arbor plugins`). */
export function describePlugins(arbor: Arbor): PluginDescription[] {
  return arbor.plugins.map((plugin) => ({
    name: plugin.name,
    version: plugin.version,
    hooks: arbor.taps
      .filter((tap) => tap.plugin === plugin.name)
      .map((tap) => `${tap.hook}${tap.key ? `:${tap.key}` : ''}${tap.stage ? `@${tap.stage}` : ''}`),
  }));
}
