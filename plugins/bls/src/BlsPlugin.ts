import { definePlugin } from '@arbor/core';
import { writeBlsEntries } from './writeBlsEntries';

export const PLUGIN_NAME = 'arbor:bls';

/**
 * Taps `bootloader` to write BLS entries, which GRUB (blscfg), systemd-boot and other
 * BLS-reading bootloaders all boot from. With `bootloader: none` the sysroot has no
 * bootloader to read them, so nothing is written.
 */
export const blsPlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.bootloader.tapPromise(PLUGIN_NAME, async (request, context) => {
      if (request.bootloader === 'none') return;
      const written = writeBlsEntries(request);
      context.logger.debug(`${PLUGIN_NAME}: wrote ${written.length} boot entries in ${request.loaderDir}/entries`);
    });
  },
});
