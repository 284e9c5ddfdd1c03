import { z } from 'zod';

/** A plugin reference: a name (`grub`, `arbor-plugin-x`, a path) or `[name, options]`. */
export const PluginReferenceSchema = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]),
]);

export const BootloaderSchema = z.enum(['grub', 'systemd-boot', 'bls', 'none']);

/**
 * The config file (`arbor.config.*`, `.arborrc*`, `package.json#arbor`). Strict: an unknown key
 * is an error with a suggestion, so a typo never silently does nothing.
 */
export const ConfigSchema = z.strictObject({
  /** Presets to expand first, in order; `default` when absent. */
  preset: z.union([z.string().min(1), z.array(z.string().min(1))]).optional(),
  /** The user's own plugins, applied after every preset's. */
  plugins: z.array(PluginReferenceSchema).optional(),
  bootloader: BootloaderSchema.optional(),
  /** The EFI system partition, for systemd-boot; `SYSROOT/boot/efi` when absent. */
  esp: z.string().min(1).optional(),
});

export type ConfigFile = z.infer<typeof ConfigSchema>;
export type PluginReference = z.infer<typeof PluginReferenceSchema>;
export type Bootloader = z.infer<typeof BootloaderSchema>;
