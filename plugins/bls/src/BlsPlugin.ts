import { definePlugin, writeBlsLoader } from '@arbor/core';

export const PLUGIN_NAME = 'arbor:bls';

/**
 * The `bls` bootloader: Boot Loader Specification entries in SYSROOT/boot/loader/entries,
 * which GRUB (blscfg), systemd-boot and other BLS-reading bootloaders boot from. The swap is
 * one symlink rename, so it is atomic; on a FAT /boot, which has no symlinks, it is done by
 * renames alone (docs/bootloaders/atomic-fat.md).
 */
export const blsPlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.bootloaders.register(PLUGIN_NAME, {
      name: 'bls',
      writes: ['boot/loader.<B>/entries/arbor-<K>.conf', 'boot/loader -> loader.<B>', 'on FAT: boot/loader/entries/arbor-<set>-<K>.conf'],
      atomic: true,
      async write(request, context) {
        const written = writeBlsLoader(request);
        context.logger.debug(`${PLUGIN_NAME}: wrote ${written.length} boot entries in ${request.bootDir}/loader.${request.bootVersion}/entries`);
      },
    });
  },
});
