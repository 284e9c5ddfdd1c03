/** A package scriptlet as rpm stores it: RPMTAG_PREIN/POSTIN/... with its RPMTAG_*PROG. */
export interface Scriptlet {
  /**
   * The spec-file name: `pretrans`, `pre`, `post`, `posttrans` are run at compose (rpm's tag
   * names `prein`/`postin` are accepted too); erase-time ones (`preun`, `postun`, ...) never are.
   */
  name: string;
  /** The interpreter and its arguments, e.g. `['/bin/sh']`; `['<lua>']` for rpm's embedded Lua. */
  interpreter: string[];
  body: string;
}
