import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Debian's grub-efi-amd64-bin: the x86_64-efi modules grub-mkstandalone builds from. */
export const GRUB_EFI_MODULES = '/usr/lib/grub/x86_64-efi';

/**
 * A GRUB EFI image as a distro installs one, standalone: its embedded config finds the root
 * filesystem by its label (the ext4 root on an MBR disk; searching for /boot/grub/grub.cfg would
 * find the embedded memdisk's own file and recurse) and loads the grub.cfg Arbor generated in
 * its /boot. Only upstream modules, so no blscfg: generated mode is what boots.
 */
export function buildGrubEfi(work: string, rootLabel: string): string {
  const embedded = path.join(work, 'grub-embedded.cfg');
  fs.writeFileSync(embedded, `search --no-floppy --set=root --label ${rootLabel}\nconfigfile ($root)/boot/grub/grub.cfg\n`);
  const efi = path.join(work, 'grubx64.efi');
  execFileSync('grub-mkstandalone', [
    '-O', 'x86_64-efi', '-o', efi,
    '--modules=part_msdos ext2',
    '--install-modules=normal configfile search search_label linux ext2 part_msdos echo test gzio',
    '--locales=', '--themes=', '--fonts=',
    `boot/grub/grub.cfg=${embedded}`,
  ], { stdio: 'pipe' });
  return efi;
}
