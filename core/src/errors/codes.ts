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

  // ------------------------------------------------------------ sysroot and deployments
  /** The path is not an initialized sysroot (no arbor/ with a repo and deploy/). */
  SYSROOT_NOT_FOUND: 'ARBOR_SYSROOT_NOT_FOUND',
  /** Sysroot files that Arbor wrote are unreadable or inconsistent. */
  SYSROOT_CORRUPT: 'ARBOR_SYSROOT_CORRUPT',
  /** Another arbor command holds the sysroot lock and `--no-wait` was given. */
  SYSROOT_LOCKED: 'ARBOR_SYSROOT_LOCKED',
  STATEROOT_NOT_FOUND: 'ARBOR_SYSROOT_STATEROOT_NOT_FOUND',
  /** More than one stateroot and none named with `--stateroot`. */
  STATEROOT_AMBIGUOUS: 'ARBOR_SYSROOT_STATEROOT_AMBIGUOUS',
  STATEROOT_INVALID: 'ARBOR_SYSROOT_STATEROOT_INVALID',
  /** The operation needs a deployment (or a rollback one) and there is none. */
  NO_DEPLOYMENT: 'ARBOR_SYSROOT_NO_DEPLOYMENT',
  DEPLOYMENT_INDEX_INVALID: 'ARBOR_SYSROOT_INDEX_INVALID',
  ORIGIN_INVALID: 'ARBOR_SYSROOT_ORIGIN_INVALID',
  /** The commit has no usr/lib/modules/<kver>/vmlinuz to boot. */
  NO_KERNEL: 'ARBOR_SYSROOT_NO_KERNEL',
  KARG_INVALID: 'ARBOR_SYSROOT_KARG_INVALID',
  BOOT_ENTRY_INVALID: 'ARBOR_SYSROOT_BOOT_ENTRY_INVALID',
  FINALIZE_FAILED: 'ARBOR_SYSROOT_FINALIZE_FAILED',
  /** A bootloader name that no plugin registered (config, `sysroot init --bootloader`). */
  BOOTLOADER_UNKNOWN: 'ARBOR_SYSROOT_BOOTLOADER_UNKNOWN',
  /** A storage strategy name that no `checkout` tap serves. */
  STORAGE_UNKNOWN: 'ARBOR_SYSROOT_STORAGE_UNKNOWN',

  // ------------------------------------------------------------ the /etc merge
  /** The commit has both /etc and /usr/etc. */
  ETC_BOTH: 'ARBOR_ETC_BOTH',
  /** An admin-changed file whose new default is a directory (ostree refuses the same). */
  ETC_NEWLY_DIRECTORY: 'ARBOR_ETC_NEWLY_DIRECTORY',
  /** An admin file sits under a path whose new default is no longer a directory. */
  ETC_PARENT_NOT_DIRECTORY: 'ARBOR_ETC_PARENT_NOT_DIRECTORY',
  /** No `mergeEtc` tap applied the merge, so the admin's changes would be lost. */
  ETC_NOT_MERGED: 'ARBOR_ETC_NOT_MERGED',
  // ------------------------------------------------------------ the content-addressed store
  /** The directory is not an Arbor repo (no `config` with an `[core]` mode). */
  STORE_NOT_A_REPO: 'ARBOR_STORE_NOT_A_REPO',
  /** `init` on a directory that already holds something. */
  STORE_REPO_EXISTS: 'ARBOR_STORE_REPO_EXISTS',
  /** The repo mode cannot work here (bare needs root; user needs user xattrs). */
  STORE_MODE_UNSUPPORTED: 'ARBOR_STORE_MODE_UNSUPPORTED',
  STORE_REF_NOT_FOUND: 'ARBOR_STORE_REF_NOT_FOUND',
  /** A ref name with `..`, empty parts, or characters refs may not hold. */
  STORE_REF_INVALID: 'ARBOR_STORE_REF_INVALID',
  /** An ID prefix that matches more than one commit. */
  STORE_PREFIX_AMBIGUOUS: 'ARBOR_STORE_PREFIX_AMBIGUOUS',
  STORE_OBJECT_MISSING: 'ARBOR_STORE_OBJECT_MISSING',
  /** An object whose bytes do not hash to its ID, or do not decode. */
  STORE_OBJECT_CORRUPT: 'ARBOR_STORE_OBJECT_CORRUPT',
  /** A dirtree entry named `.`, `..`, empty, or holding `/` or NUL. */
  STORE_NAME_INVALID: 'ARBOR_STORE_NAME_INVALID',
  /** A device node, socket or fifo in a tree being committed. */
  STORE_FILE_TYPE_UNSUPPORTED: 'ARBOR_STORE_FILE_TYPE_UNSUPPORTED',
  /** A file or directory of the tree that cannot be read. */
  STORE_UNREADABLE: 'ARBOR_STORE_UNREADABLE',
  /** A path inside a commit (ls, cat, --subpath) that it does not hold. */
  STORE_PATH_NOT_FOUND: 'ARBOR_STORE_PATH_NOT_FOUND',
  /** A checkout that would overwrite something without --union. */
  STORE_DEST_EXISTS: 'ARBOR_STORE_DEST_EXISTS',
  /** A commit with no parent asked for its parent (`REF^`). */
  STORE_NO_PARENT: 'ARBOR_STORE_NO_PARENT',
  /** Commit metadata that is not JSON (functions, bigints, cycles). */
  STORE_METADATA_INVALID: 'ARBOR_STORE_METADATA_INVALID',
  /** The repo lock was not free within the wait limit. */
  STORE_LOCKED: 'ARBOR_STORE_LOCKED',
  /** A checkout strategy that no `checkout` tap offers. */
  STORE_STRATEGY_UNKNOWN: 'ARBOR_STORE_STRATEGY_UNKNOWN',
  /** The native addon (xattrs, flock, syncfs) is not built. */
  NATIVE_MISSING: 'ARBOR_NATIVE_MISSING',
  /** A write inside a sysroot or deployment whose path leads through a symlink or a non-directory. */
  FS_PATH_ESCAPES: 'ARBOR_FS_PATH_ESCAPES',
  /** A path longer than PATH_MAX (4096 bytes) in a tree being committed, checked out or checked. */
  FS_PATH_TOO_LONG: 'ARBOR_FS_PATH_TOO_LONG',
  /** The filesystem is full (ENOSPC or EDQUOT). */
  FS_NO_SPACE: 'ARBOR_FS_NO_SPACE',
  /** The filesystem refused for lack of permission (EACCES, EPERM). */
  FS_PERMISSION_DENIED: 'ARBOR_FS_PERMISSION_DENIED',
  /** A write to a filesystem mounted read-only (EROFS). */
  FS_READ_ONLY: 'ARBOR_FS_READ_ONLY',
  /** Another filesystem error on a named path, reported by the system (ENOTDIR, EIO, ...). */
  FS_FAILED: 'ARBOR_FS_FAILED',
  /** A ref moved between reading its tip and updating it: another writer updated it first. */
  STORE_REF_MOVED: 'ARBOR_STORE_REF_MOVED',
  /** A world-writable regular file in a tree committed under the `refuse` policy. */
  STORE_WORLD_WRITABLE: 'ARBOR_STORE_WORLD_WRITABLE',
  /** Prune could not delete some unreachable objects (permissions, a read-only mount). */
  STORE_PRUNE_INCOMPLETE: 'ARBOR_STORE_PRUNE_INCOMPLETE',
  /** The commit's /usr/etc (or /etc) is a symlink or a file instead of a directory. */
  ETC_NOT_DIRECTORY: 'ARBOR_ETC_NOT_DIRECTORY',
  // ------------------------------------------------------------ remotes, pull and signatures
  /** No remote of that name in the repo's config. */
  REMOTE_UNKNOWN: 'ARBOR_REMOTE_UNKNOWN',
  REMOTE_EXISTS: 'ARBOR_REMOTE_EXISTS',
  /** A remote name or URL that cannot be used (bad characters, unsupported scheme). */
  REMOTE_INVALID: 'ARBOR_REMOTE_INVALID',
  /** The server has no such path (HTTP 404, or a missing file for file://). */
  REMOTE_NOT_FOUND: 'ARBOR_REMOTE_NOT_FOUND',
  /** An HTTP status other than 200 and 404, after retries for 5xx. */
  REMOTE_HTTP_STATUS: 'ARBOR_REMOTE_HTTP_STATUS',
  /** Connection refused or reset, after retries. */
  REMOTE_UNREACHABLE: 'ARBOR_REMOTE_UNREACHABLE',
  /** No connection within the connect timeout, or a body that stalled past the stall timeout. */
  REMOTE_TIMEOUT: 'ARBOR_REMOTE_TIMEOUT',
  /** The body ended before its declared length. */
  REMOTE_TRUNCATED: 'ARBOR_REMOTE_TRUNCATED',
  /** A body larger than what was asked for may be. */
  REMOTE_TOO_LARGE: 'ARBOR_REMOTE_TOO_LARGE',
  /** Fetched bytes that do not hash to the object ID they were fetched as. */
  PULL_OBJECT_CORRUPT: 'ARBOR_PULL_OBJECT_CORRUPT',
  /** A fetched object that hashes right but is unsafe or undecodable (e.g. a dirtree name with `/`). */
  PULL_OBJECT_INVALID: 'ARBOR_PULL_OBJECT_INVALID',
  /** The remote's summary does not parse. */
  PULL_SUMMARY_INVALID: 'ARBOR_PULL_SUMMARY_INVALID',
  /** The ref is not in the remote's summary (nor under refs/heads). */
  PULL_REF_NOT_FOUND: 'ARBOR_PULL_REF_NOT_FOUND',
  /** The remote offers a commit older than the one the ref already has. */
  PULL_DOWNGRADE: 'ARBOR_PULL_DOWNGRADE',
  /** `--mirror` into a repo that is not in archive mode. */
  PULL_MIRROR_MODE: 'ARBOR_PULL_MIRROR_MODE',
  /** A file object whose header claims more content than the pull allows for one object. */
  PULL_OBJECT_TOO_LARGE: 'ARBOR_PULL_OBJECT_TOO_LARGE',
  /** A pull that would stage more bytes than its temp-space limit (or the disk has free). */
  PULL_TEMP_LIMIT: 'ARBOR_PULL_TEMP_LIMIT',
  /** A failure of the pull's own files (staging, temp space) that names the path at fault. */
  PULL_STAGING_FAILED: 'ARBOR_PULL_STAGING_FAILED',
  /** A content signature that is absent where the remote requires one. */
  VERIFY_UNSIGNED: 'ARBOR_VERIFY_UNSIGNED',
  /** Signatures present, none valid for a trusted key. */
  VERIFY_BAD_SIGNATURE: 'ARBOR_VERIFY_BAD_SIGNATURE',
  /** The remote has keys but no `verify` tap vouched for the content (no verifier plugin loaded). */
  VERIFY_NO_VERIFIER: 'ARBOR_VERIFY_NO_VERIFIER',
  /** A key file that is not an ed25519 key of the expected kind (private or public). */
  VERIFY_KEY_INVALID: 'ARBOR_VERIFY_KEY_INVALID',
  /** `arbor key generate` would overwrite an existing key file. */
  KEY_EXISTS: 'ARBOR_VERIFY_KEY_EXISTS',
  /** `--sign-key` names a key no `sign` tap handles. */
  SIGN_NO_SIGNER: 'ARBOR_SIGN_NO_SIGNER',
  /** `arbor serve` could not listen (port in use, bad host). */
  SERVE_LISTEN_FAILED: 'ARBOR_SERVE_LISTEN_FAILED',
  // ------------------------------------------------------------ compose: rpm-md repos, resolver, treefile
  /** repomd.xml (or a metadata file it names) that cannot be read or parsed. */
  RPMMD_METADATA_INVALID: 'ARBOR_RPMMD_METADATA_INVALID',
  /** A metadata file or package whose bytes do not match the checksum the repo records. */
  RPMMD_CHECKSUM_MISMATCH: 'ARBOR_RPMMD_CHECKSUM_MISMATCH',
  RPMMD_CHECKSUM_UNSUPPORTED: 'ARBOR_RPMMD_CHECKSUM_UNSUPPORTED',
  /** A file the repo metadata names that is not in a local repo. */
  RPMMD_FILE_MISSING: 'ARBOR_RPMMD_FILE_MISSING',
  /** An HTTP error or network failure while reading a remote repo. */
  RPMMD_FETCH_FAILED: 'ARBOR_RPMMD_FETCH_FAILED',
  /** A requested package that no repo offers. */
  RESOLVE_NOT_FOUND: 'ARBOR_RESOLVE_NOT_FOUND',
  /** A dependency nothing provides, or a set that conflicts: the message names both sides. */
  RESOLVE_UNSATISFIABLE: 'ARBOR_RESOLVE_UNSATISFIABLE',
  /** A treefile that does not parse or fails the schema; the message names the key. */
  COMPOSE_TREEFILE_INVALID: 'ARBOR_COMPOSE_TREEFILE_INVALID',
  /** A package whose payload does not install (the RPM reader's message is kept). */
  COMPOSE_INSTALL_FAILED: 'ARBOR_COMPOSE_INSTALL_FAILED',
  /** A scriptlet that ran and failed, naming the package and the scriptlet. */
  COMPOSE_SCRIPTLET_FAILED: 'ARBOR_COMPOSE_SCRIPTLET_FAILED',
  /** A postprocess step that cannot be applied (add-files source missing, unit not found, script failed). */
  COMPOSE_POSTPROCESS_FAILED: 'ARBOR_COMPOSE_POSTPROCESS_FAILED',
  /** A commit without the package list compose records (`db list` / `db diff`). */
  COMPOSE_NO_PACKAGE_LIST: 'ARBOR_COMPOSE_NO_PACKAGE_LIST',
  /** A compose step that no plugin provides (no `install` or `source` tap for the treefile's kind). */
  COMPOSE_MISSING_PLUGIN: 'ARBOR_COMPOSE_MISSING_PLUGIN',
  // ------------------------------------------------------------ day-2: deploy --version, rebase, kargs --replace
  /** `deploy --version` or a commit deploy with no ref to search or follow. */
  DEPLOY_NO_REF: 'ARBOR_SYSROOT_DEPLOY_NO_REF',
  /** No commit of the version asked for in the ref's history (or the history held is cut). */
  DEPLOY_VERSION_NOT_FOUND: 'ARBOR_SYSROOT_VERSION_NOT_FOUND',
  /** `kargs --replace KEY=...` where KEY is not set, or KEY=VALUE where KEY has several values. */
  KARG_REPLACE_FAILED: 'ARBOR_SYSROOT_KARG_REPLACE_FAILED',
  /** `rebase` to something that is not a ref (a commit ID has nothing to follow). */
  REBASE_NOT_A_REF: 'ARBOR_SYSROOT_REBASE_NOT_A_REF',
  /** `rebase` to the refspec the deployment already follows (`upgrade` is the command for that). */
  REBASE_SAME_REF: 'ARBOR_SYSROOT_REBASE_SAME_REF',
  // ------------------------------------------------------------ package layering (install, uninstall, override)
  /** A deployment has layer requests and no `layer` tap applied them (no package plugin loaded). */
  LAYER_NO_PLUGIN: 'ARBOR_LAYER_NO_PLUGIN',
  /** A package name or file given to install, uninstall or override that cannot be a request. */
  LAYER_REQUEST_INVALID: 'ARBOR_LAYER_REQUEST_INVALID',
  /** install of a package (or file) that is already requested. */
  LAYER_ALREADY_REQUESTED: 'ARBOR_LAYER_ALREADY_REQUESTED',
  /** uninstall or override reset of something the origin does not request. */
  LAYER_NOT_REQUESTED: 'ARBOR_LAYER_NOT_REQUESTED',
  /** A local package file that cannot be read or kept in the sysroot. */
  LAYER_PACKAGE_UNREADABLE: 'ARBOR_LAYER_PACKAGE_UNREADABLE',
  /** A `layer` tap answered with something that is not a LayerResult. */
  LAYER_RESULT_INVALID: 'ARBOR_LAYER_RESULT_INVALID',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
