import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isValidRef, parseRef } from '../store/RefName';
import type { Repo } from '../store/Repo';
import { readBootState } from './BootState';
import { findMergeDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import type { Sysroot } from './Sysroot';

/** What a deploy checks out and what its origin records. */
export interface DeployTarget {
  commit: string;
  /** The origin's refspec: what `upgrade` follows from this deployment on. */
  refspec: string;
  /** Set when `commit` is not the head of `refspec`: `[origin] override-commit`. */
  overrideCommit?: string;
}

/**
 * Turns `deploy REFSPEC` or `deploy [REF] --version V` into a commit and an origin, as
 * rpm-ostree's `deploy` does: a ref is followed as written; a commit (ID, prefix, `REF^`, a
 * version) is an override of the ref it belongs to, so the origin keeps following that ref and
 * the next `upgrade` moves on from the pinned commit. The ref is `REF` of `REF^`, else the
 * one the merge deployment follows when the commit is in its history; a commit with neither
 * is recorded as the refspec itself, and that origin never upgrades.
 */
export function resolveDeployTarget(sysroot: Sysroot, repo: Repo, request: { refspec?: string; version?: string; stateroot: string }): DeployTarget {
  if (request.version !== undefined) {
    const ref = request.refspec ?? followedRef(sysroot, repo, request.stateroot);
    if (ref === undefined || !isRef(repo, ref)) {
      throw new ArborError(ErrorCode.DEPLOY_NO_REF, `deploy --version ${request.version}: ${ref === undefined ? 'nothing is deployed whose ref to search' : `"${ref}" is not a ref in the repo`}`, {
        hint: 'Name the ref to search: arbor deploy REMOTE:REF --version V',
      });
    }
    return overrideOf(repo, ref, findVersion(repo, ref, request.version));
  }
  const refspec = request.refspec;
  if (refspec === undefined) {
    throw new ArborError(ErrorCode.DEPLOY_NO_REF, 'deploy needs a REFSPEC or --version V', { hint: 'arbor deploy REMOTE:REF, a commit ID, or --version V', exitCode: 2 });
  }
  const commit = repo.resolveRev(refspec);
  if (isRef(repo, refspec)) return { commit, refspec };
  const base = refspec.replace(/\^+$/, '');
  if (base !== refspec && isRef(repo, base)) return overrideOf(repo, base, commit);
  const ref = followedRef(sysroot, repo, request.stateroot);
  return ref !== undefined && !provablyNotIn(repo, ref, commit) ? overrideOf(repo, ref, commit) : { commit, refspec: commit };
}

/**
 * Whether the held history of `ref` ends at its root commit without passing `commit`: then the
 * commit is on another branch, and following `ref` from it would be a rebase in disguise
 * (rpm-ostree's deploy checks the branch the same way). A history cut by a shallow pull cannot
 * tell, so the commit is taken as the ref's.
 */
function provablyNotIn(repo: Repo, ref: string, commit: string): boolean {
  let id: string | null = repo.resolveRev(ref);
  while (id) {
    if (id === commit) return false;
    if (!repo.hasObject(id, 'commit')) return false;
    id = repo.readCommit(id).parent;
  }
  return true;
}

/**
 * The commit whose `version` metadata is `version`, walking parents from the ref's head
 * through the history the repo holds. A pull keeps only as many parents as `--depth` asked
 * for, so a walk that reaches a missing parent says the history is cut there.
 */
export function findVersion(repo: Repo, ref: string, version: string): string {
  let id: string | null = repo.resolveRev(ref);
  let searched = 0;
  while (id) {
    if (!repo.hasObject(id, 'commit')) {
      const remote = parseRef(ref).remote;
      throw new ArborError(ErrorCode.DEPLOY_VERSION_NOT_FOUND, `No commit of version "${version}" in the ${searched} commits of ${ref}'s history held here: the history is cut at ${id.slice(0, 12)}`, {
        hint: remote !== undefined
          ? `Pull more history first: arbor pull ${remote} ${parseRef(ref).name} --depth N (-1 for all)`
          : 'The older commits were pruned from the repo',
      });
    }
    const commit = repo.readCommit(id);
    if (commit.metadata.version === version) return id;
    searched++;
    id = commit.parent;
  }
  throw new ArborError(ErrorCode.DEPLOY_VERSION_NOT_FOUND, `No commit of version "${version}" in the history of ${ref} (${searched} commits searched)`, {
    hint: `See the versions with: arbor log --repo ${repo.path} ${ref}`,
  });
}

/** The refspec the merge deployment's origin follows, if there is a merge deployment. */
export function followedRef(sysroot: Sysroot, repo: Repo, stateroot: string): string | undefined {
  const from = findMergeDeployment(sysroot, readBootState(sysroot).deployments, stateroot);
  if (!from) return undefined;
  const refspec = OriginFile.read(sysroot.originPath(from)).refspec;
  return isRef(repo, refspec) ? refspec : undefined;
}

function overrideOf(repo: Repo, ref: string, commit: string): DeployTarget {
  return repo.readRef(ref) === commit ? { commit, refspec: ref } : { commit, refspec: ref, overrideCommit: commit };
}

/** A name the repo holds as a ref (a full commit ID is a valid ref name too, but no ref). */
function isRef(repo: Repo, name: string): boolean {
  return isValidRef(name) && repo.readRef(name) !== undefined;
}
