import type { ResolvedConfig } from './createArbor';
import { DEFAULT_PRESET } from './config/defaultPreset';

export interface ConfigDescription {
  file: string | null;
  presets: string[];
  bootloader?: string;
  esp?: string;
  plugins: { reference: string; id: string; from: string; options: Record<string, unknown> }[];
}

/** The resolved config as `arbor config show` prints it. */
export function describeConfig(config: ResolvedConfig): ConfigDescription {
  const preset = config.config.preset ?? DEFAULT_PRESET;
  return {
    file: config.filepath ?? null,
    presets: Array.isArray(preset) ? preset : [preset],
    ...(config.config.bootloader ? { bootloader: config.config.bootloader } : {}),
    ...(config.config.esp ? { esp: config.config.esp } : {}),
    plugins: config.plugins.map(({ reference, id, from, options }) => ({ reference, id, from, options })),
  };
}
