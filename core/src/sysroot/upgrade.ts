import type { DeploymentRef } from '../hooks';
import { readBootState } from './BootState';
import { refOf } from './Deployment';
import { deployCommit, type DeployResult } from './deploy';
import { findCurrentDeployment } from './findBootedDeployment';
import { baseOf } from './layer/LayerMetadata';
import { OriginFile } from './OriginFile';
import { pullOrigin, type PullOutcome } from './pullOrigin';
import { previewCommits, type CommitPreview } from './previewCommits';
import { pendingStaged } from './StagedDeployment';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface UpgradeOptions extends SysrootOptions {
  stateroot?: string;
  /** Only say whether an upgrade is available. */
  check?: boolean;
  /** Say what it would bring (commits and changed files), deploying nothing. */
  preview?: boolean;
  /** Stage it for `arbor finalize` instead of swapping it in now. */
  stage?: boolean;
  /** Unpinned deployments kept besides the new default (retention.ts). */
  keep?: number;
}

export interface UpgradeResult {
  refspec: string;
  pull: PullOutcome;
  current: DeploymentRef;
  /** The base commit of the current deployment: its own commit, or the base a layered one was built on. */
  currentBase: string;
  /** The commit the origin's ref names now. */
  latest: string;
  available: boolean;
  /**
   * The commit `deploy <commit>` or `--version` pinned (`[origin] override-commit`): an
   * upgrade moves on from it to the ref's head and clears it.
   */
  pinnedCommit?: string;
  preview?: CommitPreview;
  deployed?: DeployResult;
}

/**
 * `arbor upgrade`: follows the merge deployment's origin. It pulls the ref when the origin
 * has a remote (pullOrigin), resolves it, and deploys the result only when it differs from
 * the commit already deployed (or staged), keeping the origin and its kargs. An origin with an
 * override commit (rpm-ostree's `deploy <commit>`) still follows its refspec: the upgrade
 * moves on from the pinned commit, and the new origin no longer pins anything.
 */
export async function upgrade(options: UpgradeOptions): Promise<UpgradeResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: 'upgrade' }, async (session) => {
    const { sysroot, arbor, context, repo } = session;
    const state = readBootState(sysroot);
    const staged = pendingStaged(sysroot, state.deployments);
    const current = findCurrentDeployment(sysroot, state.deployments, { stateroot: options.stateroot, staged, what: 'upgrade', hint: 'Deploy a refspec first: arbor deploy REFSPEC' });
    const { stateroot } = current;
    const origin = OriginFile.read(sysroot.originPath(current));
    const { refspec, overrideCommit } = origin;
    const pull = await pullOrigin({ repo, arbor, context, refspec });
    const latest = repo.resolveRev(refspec);
    // A layered deployment is compared by its base: the packages on top are re-applied to the new one.
    const currentBase = baseOf(repo, current.commit);
    const available = latest !== currentBase && (staged ? baseOf(repo, staged.commit) : undefined) !== latest;
    const result: UpgradeResult = { refspec, pull, current: refOf(current), currentBase, latest, available, ...(overrideCommit ? { pinnedCommit: overrideCommit } : {}) };
    if (!available) return result;
    if (options.preview) return { ...result, preview: previewCommits(repo, currentBase, latest) };
    if (options.check) return result;
    const deployed = await deployCommit(session, { stateroot, commit: latest, refspec, origin, stage: options.stage, keep: options.keep });
    return { ...result, deployed };
  });
}
