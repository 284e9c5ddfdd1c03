import { definePlugin, type BootloaderWriter } from '@arbor/core';
import { SystemdBootOptionsSchema, resolveSystemdBootOptions, type SystemdBootOptions } from './SystemdBootOptions';
import { ENTRIES_DIR, KERNELS_DIR, LOADER_CONF, writeSystemdBoot } from './writeSystemdBoot';

export const PLUGIN_NAME = 'arbor:systemd-boot';

/**
 * Registers the `systemd-boot` bootloader writer. It is atomic in ostree's sense: the new
 * boot order goes live at one rename (loader.conf's `default`), and every state before or
 * after that rename boots a complete deployment.
 */
export const systemdBootPlugin = definePlugin<SystemdBootOptions>({
  name: PLUGIN_NAME,
  options: SystemdBootOptionsSchema,
  apply(arbor, options) {
    const writer: BootloaderWriter = {
      name: 'systemd-boot',
      writes: [`ESP/${ENTRIES_DIR}/arbor-*.conf`, `ESP/${KERNELS_DIR}/<stateroot>-<bootcsum>/*`, `ESP/${LOADER_CONF} (default)`],
      atomic: true,
      async write(request, context) {
        const written = writeSystemdBoot(request, resolveSystemdBootOptions(options, request.options));
        context.logger.debug(
          `${PLUGIN_NAME}: entry set ${written.setId} on ${written.entriesRoot}: ${written.written.length} written, ${written.removed.length} removed, default ${written.default ?? '(the admin\'s)'}`,
        );
      },
    };
    arbor.bootloaders.register(PLUGIN_NAME, writer);
  },
});
