import { z } from 'zod';
import { PluginReferenceSchema } from './config/configSchema';

/**
 * A preset is data (Babel's preset-react returns a list; ours is the list itself): other
 * presets to expand first, then plugins with options. A preset package default-exports one.
 */
export const PresetSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  presets: z.array(z.string().min(1)).optional(),
  plugins: z.array(PluginReferenceSchema).optional(),
});

export type Preset = z.infer<typeof PresetSchema>;

/** Identity, for type checking preset modules written in TypeScript. */
export function definePreset(preset: Preset): Preset {
  return preset;
}
