import { v } from '@arbor/core';

export const GRUB_MODES = ['auto', 'bls', 'generated'] as const;

/**
 * The grub plugin's options, from the plugin entry in the config and, overriding those, from
 * the sysroot's `bootloaderOptions`. Paths are relative to the sysroot.
 */
export const GrubOptionsSchema = v.strictObject({
  /**
   * `bls`: BLS entries plus grubenv, for a GRUB with the blscfg module (Fedora's).
   * `generated`: a grub.cfg with one menuentry per deployment (Debian's and upstream GRUB).
   * `auto` (default): `bls` when blscfg is found (probeGrubMode.ts), else `generated`.
   */
  mode: v.optional(v.picklist(GRUB_MODES), 'auto'),
  /** The grub.cfg to write; default `boot/grub2/grub.cfg` when `boot/grub2` exists, else `boot/grub/grub.cfg`. */
  configPath: v.optional(v.pipe(v.string(), v.minLength(1))),
  /** The grubenv to write in BLS mode; default `grubenv` beside the grub.cfg. */
  envPath: v.optional(v.pipe(v.string(), v.minLength(1))),
  /**
   * How GRUB reaches /boot: `''` when /boot is its own filesystem, `'/boot'` when it is a
   * directory of the root filesystem. Default: compare the devices of SYSROOT/boot and SYSROOT.
   */
  bootPrefix: v.optional(v.picklist(['', '/boot'])),
  /** The UUID of the filesystem holding /boot: entries then start with `search --fs-uuid --set=root`. */
  bootFsUuid: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-Za-z-]+$/))),
  /** Modules each generated entry loads first, e.g. ['part_gpt', 'ext2']. */
  modules: v.optional(v.array(v.pipe(v.string(), v.regex(/^[a-z0-9_]+$/))), []),
  /** `set timeout` in a grub.cfg Arbor creates (an existing file keeps its own). */
  timeout: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 5),
  /** BLS mode: also keep grubenv's `kernelopts` (the default deployment's kargs) for entries that say `$kernelopts`. */
  kernelopts: v.optional(v.boolean(), false),
});

export type GrubOptions = v.InferOutput<typeof GrubOptionsSchema>;
