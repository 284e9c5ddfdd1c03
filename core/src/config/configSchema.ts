import * as v from 'valibot';

const nonEmpty = v.pipe(v.string(), v.minLength(1));

/** A plugin reference: a name (`grub`, `arbor-plugin-x`, a path) or `[name, options]`. */
export const PluginReferenceSchema = v.union([
  nonEmpty,
  v.tuple([nonEmpty, v.record(v.string(), v.unknown())]),
]);

export const BootloaderSchema = v.picklist(['grub', 'systemd-boot', 'bls', 'none']);

/**
 * The config file (`arbor.config.*`, `.arborrc*`, `package.json#arbor`). Strict: an unknown key
 * is an error with a suggestion, so a typo never silently does nothing.
 */
export const ConfigSchema = v.strictObject({
  /** Presets to expand first, in order; `default` when absent. */
  preset: v.optional(v.union([nonEmpty, v.array(nonEmpty)])),
  /** The user's own plugins, applied after every preset's. */
  plugins: v.optional(v.array(PluginReferenceSchema)),
  bootloader: v.optional(BootloaderSchema),
  /** The EFI system partition, for systemd-boot; `SYSROOT/boot/efi` when absent. */
  esp: v.optional(nonEmpty),
});

export type ConfigFile = v.InferOutput<typeof ConfigSchema>;
export type PluginReference = v.InferOutput<typeof PluginReferenceSchema>;
export type Bootloader = v.InferOutput<typeof BootloaderSchema>;
