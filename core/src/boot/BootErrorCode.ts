/**
 * Error codes of the boot partition writers (BLS, systemd-boot and any writer built on
 * BootFilesystem). Part of the CLI contract: scripts match on them, so a code is never renamed.
 */
export const BootErrorCode = {
  /**
   * An errno from the ESP, XBOOTLDR or /boot (or, in cleanup, the root filesystem's boot links
   * and stray deployment files); the message names the path and the filesystem. A full one is
   * ARBOR_FS_NO_SPACE instead.
   */
  FILESYSTEM: 'ARBOR_BOOT_FILESYSTEM',
  /** A file name FAT cannot hold, or two names that differ only in case (FAT folds case). */
  NAME_INVALID: 'ARBOR_BOOT_NAME_INVALID',
} as const;
