/** Error codes of the systemd-boot writer; part of the CLI contract, never renamed. */
export const SystemdBootErrorCode = {
  /** A loader.conf line we cannot read, so we will not rewrite the file. */
  LOADER_CONF_INVALID: 'ARBOR_SYSTEMD_BOOT_LOADER_CONF_INVALID',
  /** Writer options (config `bootloaderOptions` or the plugin's options) that fail the schema. */
  OPTIONS_INVALID: 'ARBOR_SYSTEMD_BOOT_OPTIONS_INVALID',
  /** The ESP (or XBOOTLDR) directory does not exist. */
  PARTITION_MISSING: 'ARBOR_SYSTEMD_BOOT_PARTITION_MISSING',
} as const;
