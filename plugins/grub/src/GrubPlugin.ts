import { definePlugin } from '@arbor/core';
import { GrubOptionsSchema, type GrubOptions } from './GrubOptions';
import { GrubWriter } from './GrubWriter';

export const PLUGIN_NAME = 'arbor:grub';

/**
 * Registers the `grub` bootloader writer: BLS entries plus grubenv for a GRUB with blscfg, or
 * a generated grub.cfg section for one without. The options set defaults that a sysroot's
 * `bootloaderOptions` override.
 */
export const grubPlugin = definePlugin<GrubOptions>({
  name: PLUGIN_NAME,
  options: GrubOptionsSchema,
  apply(arbor, options) {
    arbor.bootloaders.register(PLUGIN_NAME, new GrubWriter(PLUGIN_NAME, options));
  },
});
