/**
 * Error codes shared across packages. Codes are part of the CLI contract: scripts match on
 * them, so a code is never renamed. Areas add their own codes here as they land.
 */
export const ErrorCode = {
  /** An error thrown by a plugin's tap that was not already an ArborError. */
  PLUGIN_FAILED: 'ARBOR_PLUGIN_FAILED',
  PLUGIN_NOT_FOUND: 'ARBOR_PLUGIN_NOT_FOUND',
  PLUGIN_INVALID: 'ARBOR_PLUGIN_INVALID',
  PLUGIN_DUPLICATE: 'ARBOR_PLUGIN_DUPLICATE',
  PLUGIN_OPTIONS_INVALID: 'ARBOR_PLUGIN_OPTIONS_INVALID',
  PRESET_NOT_FOUND: 'ARBOR_PRESET_NOT_FOUND',
  PRESET_INVALID: 'ARBOR_PRESET_INVALID',
  PRESET_CYCLE: 'ARBOR_PRESET_CYCLE',
  CONFIG_INVALID: 'ARBOR_CONFIG_INVALID',
  CONFIG_UNREADABLE: 'ARBOR_CONFIG_UNREADABLE',
  CONFIG_NOT_FOUND: 'ARBOR_CONFIG_NOT_FOUND',
  /** A hook with no tap that answered (bail hooks), e.g. no transport for a URL scheme. */
  HOOK_UNHANDLED: 'ARBOR_HOOK_UNHANDLED',
  USAGE: 'ARBOR_USAGE',
  ABORTED: 'ARBOR_ABORTED',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
