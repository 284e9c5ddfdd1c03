import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef, RollbackRequest } from '../hooks';
import { readBootState } from './BootState';
import { bootableOf, deploymentId, refOf, sameDeployment } from './Deployment';
import { discardStaged, pendingStaged } from './StagedDeployment';
import { swapBootOrder } from './swapBootOrder';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface RollbackResult {
  /** The new default: the deployment that was the rollback one. */
  default: DeploymentRef;
  /** The old default, now the rollback deployment. */
  rollback: DeploymentRef;
  /** A staged deployment that the rollback discarded (it would have undone it at shutdown). */
  discardedStaged?: string;
}

/**
 * Makes the rollback deployment (index 1) the default and the old default the rollback, so
 * running it twice returns to where it started. The `rollback` hook sees the proposed order
 * and may reorder it or refuse; the result must still hold exactly the same deployments.
 */
export async function rollback(options: SysrootOptions): Promise<RollbackResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: 'rollback' }, async (session) => {
    const { sysroot, arbor, context } = session;
    const state = readBootState(sysroot);
    if (state.deployments.length < 2) {
      throw new ArborError(ErrorCode.NO_DEPLOYMENT, `There is no rollback deployment in ${sysroot.path}`, {
        hint: state.deployments.length ? 'Only one deployment exists; deploy another first' : 'Nothing is deployed yet',
      });
    }
    const staged = pendingStaged(sysroot, state.deployments);
    if (staged) await discardStaged(session, staged);
    const before = state.deployments.map(refOf);
    const request: RollbackRequest = { sysroot: sysroot.path, before };
    const after = await arbor.hooks.rollback.promise([before[1]!, before[0]!, ...before.slice(2)], request, context);
    checkReordering(before, after);
    const order = after.map((ref) => bootableOf(state.deployments.find((deployment) => sameDeployment(deployment, ref))!));
    await swapBootOrder({ sysroot, arbor, context, order, versionOf: session.versionOf });
    return {
      default: refOf(order[0]!),
      rollback: refOf(order[1]!),
      ...(staged ? { discardedStaged: `${staged.stateroot}:${deploymentId(staged)}` } : {}),
    };
  });
}

/** A rollback tap may reorder, never add or drop: that is deploy's and cleanup's business. */
function checkReordering(before: readonly DeploymentRef[], after: readonly DeploymentRef[]): void {
  const same = before.length === after.length && before.every((ref) => after.filter((other) => sameDeployment(ref, other)).length === 1);
  if (!same) {
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, 'A rollback tap changed which deployments are in the boot order', {
      hint: 'Taps of the rollback hook may only return a reordering of request.before',
    });
  }
}
