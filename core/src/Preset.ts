import * as v from 'valibot';
import { PluginChangesEntries, PluginReferenceSchema, strictObject } from './config/configSchema';

/**
 * A preset is data (Babel's preset-react returns a list; ours is the list itself): other
 * presets to expand first, changes to what they brought (`replace`, `override`, `exclude`),
 * then plugins with options. A preset package default-exports one.
 */
export const PresetSchema = strictObject({
  name: v.optional(v.pipe(v.string(), v.minLength(1))),
  description: v.optional(v.string()),
  presets: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
  plugins: v.optional(v.array(PluginReferenceSchema)),
  /** Changes to what `presets` brought: replace, override options, exclude (by plugin name). */
  ...PluginChangesEntries,
});

export type Preset = v.InferOutput<typeof PresetSchema>;

/** Identity, for type checking preset modules written in TypeScript. */
export function definePreset(preset: Preset): Preset {
  return preset;
}
