/** Error codes of the dracut plugin (part of the CLI contract, like every ARBOR_* code). */
export const DracutErrorCode = {
  /** The tree's dracut exited non-zero or wrote no initramfs. */
  FAILED: 'ARBOR_DRACUT_FAILED',
} as const;
