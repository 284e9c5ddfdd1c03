import fs from 'node:fs';
import path from 'node:path';

/**
 * Installs a UEFI bootloader at the removable-media path EFI/BOOT/BOOTX64.EFI (UEFI spec 2.10
 * §3.5.1.1), which OVMF boots when its variable store has no boot entries, as a fresh copy of
 * OVMF_VARS has none. No efibootmgr, no NVRAM writes.
 */
export function installRemovableLoader(espDir: string, efiBinary: string): void {
  const target = path.join(espDir, 'EFI', 'BOOT', 'BOOTX64.EFI');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(efiBinary, target);
}
