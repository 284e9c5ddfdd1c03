import fs from 'node:fs';
import path from 'node:path';
import type { HookContext } from '../HookContext';
import type { BootloaderTarget } from '../hooks';
import { BOOT_ORDER_FILE, LIVE_BOOT_LINK, readBootState } from '../sysroot/BootState';
import type { Sysroot } from '../sysroot/Sysroot';
import { replaceSymlink } from '../sysroot/writeFileAtomic';
import type { BootloaderRegistry } from './BootloaderRegistry';

/** Where the sysroot's bootloader writer keeps its configuration. */
export function bootloaderTarget(sysroot: Sysroot): BootloaderTarget {
  return {
    sysroot: sysroot.path,
    bootloader: sysroot.config.bootloader,
    bootDir: sysroot.bootDir,
    esp: sysroot.espPath,
    options: sysroot.config.bootloaderOptions ?? {},
  };
}

/**
 * Two filesystems, two switches: a swap writes the links `arbor/boot.<B'>` on the root
 * filesystem, the writer switches the bootloader to B' (on the ESP, say), and only then does
 * the core rename its record `arbor/boot -> boot.<B'>`. A crash between the last two leaves
 * the machine booting B' while the record says B. Left so, the next swap would write B' again,
 * deleting the very links the live entries name. So, under the sysroot lock and before any
 * command reads the record, the record catches up with what the writer says it boots, when
 * that version's links and boot order are there (they were complete before the writer ran).
 * Returns the version caught up to, or undefined when the record was right.
 */
export function catchUpBootRecord(sysroot: Sysroot, bootloaders: BootloaderRegistry): number | undefined {
  const record = readBootState(sysroot);
  if (!record.live) return undefined;
  const booted = bootloaders.liveBootVersion(bootloaderTarget(sysroot));
  if (booted === undefined || booted === record.bootVersion) return undefined;
  if (!fs.existsSync(path.join(sysroot.arborDir, `boot.${booted}`, BOOT_ORDER_FILE))) return undefined;
  replaceSymlink(`boot.${booted}`, path.join(sysroot.arborDir, LIVE_BOOT_LINK));
  return booted;
}

/**
 * What every locked command does first, after a crash or not: the record catches up with the
 * bootloader, then the writer removes what an interrupted write left (BootloaderWriter.tidy).
 */
export function recoverBootState(sysroot: Sysroot, bootloaders: BootloaderRegistry, context: HookContext): void {
  const caughtUp = catchUpBootRecord(sysroot, bootloaders);
  if (caughtUp !== undefined) context.logger.debug(`arbor: the boot record follows the bootloader to boot version ${caughtUp} (a crash came between them)`);
  const removed = bootloaders.tidy(bootloaderTarget(sysroot));
  if (removed.length > 0) context.logger.debug(`arbor: removed ${removed.length} leftovers of an interrupted boot write: ${removed.join(', ')}`);
}
