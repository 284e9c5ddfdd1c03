/** The error codes @arbor/plugin-grub raises (ARBOR_GRUB_<REASON>). */
export const GrubErrorCode = Object.freeze({
  /** An existing grub.cfg that GRUB's parser would refuse. */
  CONFIG_SYNTAX: 'ARBOR_GRUB_CONFIG_SYNTAX',
  /** An existing grub.cfg whose `### BEGIN arbor ###` section is not closed, or appears twice. */
  CONFIG_SECTION: 'ARBOR_GRUB_CONFIG_SECTION',
  /** A grubenv that is not a GRUB environment block (wrong header or size). */
  GRUBENV_INVALID: 'ARBOR_GRUB_GRUBENV_INVALID',
  /** A grubenv whose variables no longer fit in its 1024 bytes. */
  GRUBENV_FULL: 'ARBOR_GRUB_GRUBENV_FULL',
  /** A path the writer must write that leaves the sysroot through a symlink. */
  PATH_ESCAPES: 'ARBOR_GRUB_PATH_ESCAPES',
  /** A filesystem call failed: the message names the path, the filesystem and the errno. */
  FILESYSTEM: 'ARBOR_GRUB_FILESYSTEM',
  /** Options from the config or the sysroot that do not fit the schema. */
  OPTIONS_INVALID: 'ARBOR_GRUB_OPTIONS_INVALID',
});
