/** The plugin's error codes (ARBOR_<AREA>_<REASON>). */
export const SelinuxErrorCode = {
  /** A file_contexts line libselinux would refuse: missing fields, a bad file type, non-ASCII. */
  FILE_CONTEXTS_MALFORMED: 'ARBOR_SELINUX_FILE_CONTEXTS_MALFORMED',
  /** A spec's regex does not compile, or uses a PCRE2 construct JavaScript cannot express. */
  REGEX_UNSUPPORTED: 'ARBOR_SELINUX_REGEX_UNSUPPORTED',
  /** The policy named by --file-contexts or by the tree's etc/selinux/config cannot be read. */
  POLICY_NOT_FOUND: 'ARBOR_SELINUX_POLICY_NOT_FOUND',
} as const;
