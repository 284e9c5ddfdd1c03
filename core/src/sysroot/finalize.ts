import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { syncFilesystem } from '../fs/syncFilesystem';
import type { DeploymentRef, EtcMergePlan } from '../hooks';
import { readBootState } from './BootState';
import { bootableOf, deploymentId, refOf, sameDeployment } from './Deployment';
import { mergeDeploymentEtc } from './etc/mergeDeploymentEtc';
import { findMergeDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import { planRetention, removeRetired } from './retention';
import { clearFinalizeFailure, clearStaged, discardStaged, pendingStaged, writeFinalizeFailure } from './StagedDeployment';
import { swapBootOrder } from './swapBootOrder';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface FinalizeResult {
  /** The deployment that became the default; null when nothing was staged. */
  finalized: DeploymentRef | null;
  mergedFrom?: DeploymentRef;
  etc?: EtcMergePlan;
  /** Deployments retention removed once the staged one became the default. */
  retired?: DeploymentRef[];
}

/**
 * Finishes a `deploy --stage` (run at shutdown by arbor-finalize-staged.service): merges the
 * /etc of this moment into the staged deployment, runs the `finalize` hook and swaps it in as
 * the default. If anything fails, the boot order is left as it was, the staged deployment is
 * dropped, and `arbor/finalize-failed.json` records why, for `status` to report.
 */
export async function finalize(options: SysrootOptions): Promise<FinalizeResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: 'finalize' }, async (session) => {
    const { sysroot, arbor, context } = session;
    const state = readBootState(sysroot);
    const staged = pendingStaged(sysroot, state.deployments);
    if (!staged) return { finalized: null };
    const path = sysroot.deploymentPath(staged);
    try {
      const from = findMergeDeployment(sysroot, state.deployments, staged.stateroot);
      let etc: EtcMergePlan | undefined;
      if (from && !staged.noMerge) {
        etc = await mergeDeploymentEtc({ arbor, context, from: sysroot.deploymentPath(from), to: path });
        const origin = OriginFile.read(sysroot.originPath(staged));
        origin.etcConflicts = etc.conflicts;
        origin.write(sysroot.originPath(staged));
      }
      await arbor.hooks.finalize.promise(
        { sysroot: sysroot.path, stateroot: staged.stateroot, commit: staged.commit, serial: staged.serial, refspec: staged.refspec, path, staged: true, ...(etc ? { etc } : {}) },
        context,
      );
      syncFilesystem(path);
      const retention = planRetention(sysroot, [bootableOf(staged), ...state.deployments.map(bootableOf)], { stateroot: staged.stateroot, keep: staged.keep });
      await swapBootOrder({ sysroot, arbor, context, order: retention.kept, versionOf: session.versionOf });
      clearStaged(sysroot);
      clearFinalizeFailure(sysroot);
      // Retention after the swap; a failure there leaves the rest to `arbor cleanup`.
      const retired = await removeRetired(session, retention, retention.kept).catch((error: Error) => {
        context.logger.warn(`Removing old deployments failed (arbor cleanup retries): ${error.message}`);
        return [];
      });
      return { finalized: refOf(staged), ...(from && etc ? { mergedFrom: refOf(from), etc } : {}), retired };
    } catch (error) {
      // Failing after the swap's rename (in its last fsync) means it did become the default.
      if (readBootState(sysroot).deployments.some((deployment) => sameDeployment(deployment, staged))) throw error;
      const cause = error as Error & { code?: string };
      writeFinalizeFailure(sysroot, {
        stateroot: staged.stateroot,
        commit: staged.commit,
        serial: staged.serial,
        failedAt: new Date().toISOString(),
        code: typeof cause.code === 'string' ? cause.code : 'ARBOR_INTERNAL',
        message: cause.message,
      });
      await discardStaged(session, staged);
      throw new ArborError(ErrorCode.FINALIZE_FAILED, `Finalizing staged deployment ${staged.stateroot}:${deploymentId(staged)} failed, so the previous default stays: ${cause.message}`, {
        hint: 'Fix the cause, then deploy again (arbor status shows this failure until then)',
        cause: error,
      });
    }
  });
}
