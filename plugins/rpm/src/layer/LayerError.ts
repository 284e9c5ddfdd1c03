/**
 * Error codes of RPM package layering (`arbor install`, `uninstall`, `override`). Part of the
 * CLI contract like RpmErrorCode: a code is never renamed.
 */
export const LayerErrorCode = {
  /** A .repo file of the deployment's yum.repos.d that does not parse, or asks for what Arbor does not do. */
  REPO_CONFIG_INVALID: 'ARBOR_LAYER_REPO_CONFIG_INVALID',
  /** A repo that has no usable base URL (only metalink= or mirrorlist=), or none that answers. */
  REPO_UNAVAILABLE: 'ARBOR_LAYER_REPO_UNAVAILABLE',
  /** A requested package that no enabled repo offers. */
  PACKAGE_NOT_FOUND: 'ARBOR_LAYER_PACKAGE_NOT_FOUND',
  /** The request cannot be resolved against the base: a conflict, an obsolete, a missing dependency. */
  UNRESOLVABLE: 'ARBOR_LAYER_UNRESOLVABLE',
  /** Removing a base package that another installed package requires. */
  REMOVAL_REQUIRED: 'ARBOR_LAYER_REMOVAL_REQUIRED',
  /** A removal or replacement naming a package the base does not have. */
  NOT_INSTALLED: 'ARBOR_LAYER_NOT_INSTALLED',
  /** A scriptlet that failed while layering. */
  SCRIPTLET_FAILED: 'ARBOR_LAYER_SCRIPTLET_FAILED',
  /** The sandbox that runs scriptlets over the shared base (overlayfs, bubblewrap) cannot be set up. */
  SANDBOX_FAILED: 'ARBOR_LAYER_SANDBOX_FAILED',
} as const;
