import type { Arbor } from './Arbor';

export interface PluginDescription {
  name: string;
  version?: string;
  /** Hooks this plugin taps, as `hook`, `hook:key` for HookMaps, with `@stage` when not 0. */
  hooks: string[];
  /** Bootloader writers it registered, with what each declares it writes and whether it swaps atomically. */
  bootloaders?: { name: string; writes: string[]; atomic: boolean }[];
}

/** The plugins in the order they were applied, each with the hooks it taps (`arbor plugins`). */
export function describePlugins(arbor: Arbor): PluginDescription[] {
  const writers = arbor.bootloaders.describe();
  return arbor.plugins.map((plugin) => {
    const bootloaders = writers.filter((writer) => writer.plugin === plugin.name).map(({ name, writes, atomic }) => ({ name, writes, atomic }));
    return {
      name: plugin.name,
      version: plugin.version,
      hooks: arbor.taps
        .filter((tap) => tap.plugin === plugin.name)
        .map((tap) => `${tap.hook}${tap.key ? `:${tap.key}` : ''}${tap.stage ? `@${tap.stage}` : ''}`),
      ...(bootloaders.length ? { bootloaders } : {}),
    };
  });
}
