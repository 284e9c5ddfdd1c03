import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isValidRef } from '../store/RefName';
import { readBootState } from './BootState';
import { deployCommit, type DeployResult } from './deploy';
import { findCurrentDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import { pullOrigin, type PullOutcome } from './pullOrigin';
import { pendingStaged } from './StagedDeployment';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface RebaseOptions extends SysrootOptions {
  /** What to follow from now on: REMOTE:REF (pulled first) or a local REF. */
  refspec: string;
  stateroot?: string;
  /** Stage it for `arbor finalize` instead of swapping it in now. */
  stage?: boolean;
  /** Unpinned deployments kept besides the new default (retention.ts). */
  keep?: number;
}

export interface RebaseResult {
  /** The refspec the merge deployment followed. */
  from: string;
  /** The refspec the new deployment follows. */
  refspec: string;
  pull: PullOutcome;
  deployed: DeployResult;
}

/**
 * `arbor rebase`: switches what a stateroot follows, as rpm-ostree's `rebase`. The new ref is
 * pulled when it names a remote (pullOrigin, verified by that remote's policy), and its head
 * is deployed with an origin made from the merge deployment's: the refspec changes and an
 * override commit goes, while the kargs, the layering requests ([packages], [overrides]) and
 * any group a plugin keeps there stay, so the next `upgrade` follows the new ref with the
 * same additions.
 */
export async function rebase(options: RebaseOptions): Promise<RebaseResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: `rebase ${options.refspec}` }, async (session) => {
    const { sysroot, arbor, context, repo } = session;
    const { refspec } = options;
    if (!isValidRef(refspec)) {
      throw new ArborError(ErrorCode.REBASE_NOT_A_REF, `Cannot rebase to "${refspec}": it is not a ref`, {
        hint: 'Rebase to REMOTE:REF or a local REF; to deploy one commit, use arbor deploy COMMIT',
      });
    }
    const state = readBootState(sysroot);
    const staged = pendingStaged(sysroot, state.deployments);
    const current = findCurrentDeployment(sysroot, state.deployments, { stateroot: options.stateroot, staged, what: 'rebase', hint: `Deploy it instead: arbor deploy ${refspec}` });
    const { stateroot } = current;
    const origin = OriginFile.read(sysroot.originPath(current));
    const from = origin.refspec;
    if (from === refspec) {
      throw new ArborError(ErrorCode.REBASE_SAME_REF, `The deployment already follows ${refspec}`, { hint: 'arbor upgrade brings it up to date' });
    }
    const pull = await pullOrigin({ repo, arbor, context, refspec });
    if (repo.readRef(refspec) === undefined) {
      throw new ArborError(ErrorCode.REBASE_NOT_A_REF, `Cannot rebase to "${refspec}": there is no such ref in ${repo.path}`, {
        hint: `List the refs with arbor refs --repo ${repo.path}; a remote ref is written REMOTE:REF`,
      });
    }
    const commit = repo.resolveRev(refspec);
    const deployed = await deployCommit(session, { stateroot, commit, refspec, origin, stage: options.stage, keep: options.keep });
    return { from, refspec, pull, deployed };
  });
}
