import { syncFilesystem } from '../fs/syncFilesystem';
import type { DeploymentRef, EtcMergePlan, LayerRequests, LayerResult } from '../hooks';
import { checkoutCommit } from '../store/checkoutCommit';
import { verifyCommit } from '../store/verifyCommit';
import { readBootState } from './BootState';
import { bootableOf, nextSerial, refOf, sameDeployment } from './Deployment';
import { protectDeployment, releaseDeployment } from './DeploymentRefs';
import { mergeDeploymentEtc } from './etc/mergeDeploymentEtc';
import { prepareEtc } from './etc/prepareEtc';
import { findMergeDeployment, pendingDeployment } from './findBootedDeployment';
import { carriedLayers, layerForDeploy } from './layer/carriedLayers';
import { findKernel, installKernel } from './installKernel';
import { Kargs } from './Kargs';
import { OriginFile } from './OriginFile';
import { resolveDeployTarget } from './DeployTarget';
import { deployStrategy, removeDeployment } from './removeDeployment';
import { planRetention, removeRetired, type RetentionPlan } from './retention';
import { seedVar } from './seedVar';
import { clearFinalizeFailure, discardStaged, pendingStaged, writeStaged } from './StagedDeployment';
import { pendingDeployments, swapBootOrder } from './swapBootOrder';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface DeployOptions extends SysrootOptions {
  /** REMOTE:REF, a local REF, or a commit ID (or unique prefix, or `REF^`); optional with `version`. */
  refspec?: string;
  /** Deploy the commit of this `version` from the ref's history (`--version`). */
  version?: string;
  stateroot?: string;
  /** Kernel arguments added to those inherited from the merge deployment (`--karg`). */
  kargs?: string[];
  /** Prepare everything but the /etc merge and the boot swap; `arbor finalize` does those. */
  stage?: boolean;
  /** Merge /etc from the merge deployment (default); false is `--no-merge`. */
  merge?: boolean;
  /** Re-hash every object the commit uses before checking it out (`--verify`). */
  verify?: boolean;
  /**
   * Packages to layer on the commit, which is then the base (install, uninstall, override).
   * Default: the requests of the stateroot's staged or default deployment, carried over.
   */
  layers?: LayerRequests;
  /** Unpinned deployments kept besides the new default (`--keep`; retention.ts). */
  keep?: number;
}

/** What deployCommit is asked to deploy and to record in the origin. */
export type DeployRequest = Omit<DeployOptions, keyof SysrootOptions | 'refspec' | 'version'> & {
  stateroot: string;
  commit: string;
  /** The origin's refspec. */
  refspec: string;
  /** `[origin] override-commit`: the commit deployed is not the refspec's head (DeployTarget.ts). */
  overrideCommit?: string;
  /** The origin to start from (rebase passes the old one, so groups it does not know survive). */
  origin?: OriginFile;
};

export interface DeployResult extends DeploymentRef {
  /** 0 once it is the default; null while staged. */
  index: number | null;
  staged: boolean;
  refspec: string;
  path: string;
  kargs: string[];
  /** The deployment whose /etc was merged (its kargs were inherited too). */
  mergedFrom?: DeploymentRef;
  etc?: EtcMergePlan;
  /** Whether the stateroot's /var was empty and got the commit's var. */
  seededVar: boolean;
  /** The storage strategy that did the checkout: what happened, which may be a fallback (reflink -> copy). */
  storage: string;
  /** For a layered deployment: the base commit `commit` was layered on, and how. */
  base?: string;
  layer?: { reused: boolean; result: LayerResult; timings: Record<string, number> };
  /** Set when the commit is pinned while the origin follows `refspec` (deploy of a commit or --version). */
  overrideCommit?: string;
  /** Deployments retention removed after the swap (none while staged). */
  retired: DeploymentRef[];
}

/**
 * `arbor deploy`: the commit a refspec (or `--version`) names becomes a new deployment, and
 * the default. A commit rather than a ref is an override of the ref followed (DeployTarget.ts).
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const purpose = `deploy ${options.refspec ?? ''}${options.version !== undefined ? ` --version ${options.version}` : ''}`.trim();
  return SysrootSession.run({ ...options, lock: true, purpose }, async (session) => {
    const stateroot = session.sysroot.resolveStateroot(options.stateroot);
    const { refspec: _refspec, version: _version, ...rest } = options;
    return deployCommit(session, { ...rest, stateroot, ...resolveDeployTarget(session.sysroot, session.repo, { ...options, stateroot }) });
  });
}

/**
 * The deploy pipeline, under the sysroot lock (upgrade calls it too):
 * checkout -> etc/ from usr/etc -> /etc merge -> /var seed -> kernel to /boot -> origin ->
 * `deploy` hook -> repo ref -> sync -> boot swap. Until the swap, the new deployment is not in
 * the boot order, so a failure (or SIGKILL) anywhere before it leaves the sysroot booting
 * exactly as before; a failure removes the partial tree, and a kill leaves one that the next
 * deploy of the same commit replaces.
 */
export async function deployCommit(session: SysrootSession, request: DeployRequest): Promise<DeployResult> {
  const { sysroot, arbor, context, repo } = session;
  const { stateroot, refspec } = request;
  const state = readBootState(sysroot);
  const staged = pendingStaged(sysroot, state.deployments);
  const from = findMergeDeployment(sysroot, state.deployments, stateroot);
  // With layer requests, what is deployed is the base with the packages applied (docs/layering.md);
  // done first, so a layering that fails leaves everything, a staged deployment too, as it was.
  const layers = request.layers ?? carriedLayers(sysroot, pendingDeployment(state.deployments, staged, stateroot));
  const layered = await layerForDeploy(session, { base: request.commit, layers, mergeFrom: from });
  const commit = layered?.commit ?? request.commit;
  // A new deploy replaces a staged one, which would otherwise undo it at shutdown (as ostree).
  if (staged) await discardStaged(session, staged);

  const inherited = from ? OriginFile.read(sysroot.originPath(from)).kargs : [];
  const kargs = Kargs.of(inherited).override(request.kargs ?? []).toArray();
  const ref: DeploymentRef = { stateroot, commit, serial: nextSerial(state.deployments, stateroot, commit) };
  const path = sysroot.deploymentPath(ref);
  const mergeFrom = request.merge !== false && !request.stage ? from : undefined;

  // Anything already at this name was left by an interrupted deploy: nothing boots it.
  await removeDeployment(session, ref);
  const strategy = deployStrategy(session);
  if (request.verify) await verifyCommit(arbor, repo, commit, context.signal);
  try {
    const checkout = layered?.tree?.adopt(path, strategy) ?? await checkoutCommit(arbor, repo, { ref: commit, dest: path, strategy, signal: context.signal });
    prepareEtc(path);
    const kernel = findKernel(path);
    const etc = mergeFrom ? await mergeDeploymentEtc({ arbor, context, from: sysroot.deploymentPath(mergeFrom), to: path }) : undefined;
    const seededVar = seedVar(sysroot.varDir(stateroot), path);
    const bootable = { ...ref, bootcsum: installKernel(sysroot, stateroot, kernel), kernelVersion: kernel.kernelVersion };
    // From the old origin (rebase, upgrade), groups it does not know survive; these keys are this deployment's own.
    const origin = request.origin ?? OriginFile.create({ refspec });
    origin.refspec = refspec;
    origin.kargs = kargs;
    origin.pinned = false;
    origin.overrideCommit = request.overrideCommit;
    origin.storage = strategy;
    origin.layers = layers;
    origin.etcConflicts = etc?.conflicts ?? [];
    origin.write(sysroot.originPath(ref));
    const event = { sysroot: sysroot.path, stateroot, commit, serial: ref.serial, refspec, path, staged: Boolean(request.stage) };
    await arbor.hooks.deploy.promise(etc ? { ...event, etc } : event, context);
    protectDeployment(repo, ref);
    syncFilesystem(path);

    let retention: RetentionPlan | undefined;
    if (request.stage) {
      const version = session.versionOf(commit);
      writeStaged(sysroot, { ...bootable, refspec, ...(version ? { version } : {}), noMerge: request.merge === false, ...(request.keep !== undefined ? { keep: request.keep } : {}), stagedAt: new Date().toISOString() });
    } else {
      retention = planRetention(sysroot, [bootable, ...state.deployments.map(bootableOf)], { stateroot, keep: request.keep });
      await swapBootOrder({ sysroot, arbor, context, order: retention.kept, versionOf: session.versionOf });
      clearFinalizeFailure(sysroot);
    }
    return {
      ...ref,
      index: request.stage ? null : 0,
      staged: Boolean(request.stage),
      refspec,
      path,
      kargs,
      ...(mergeFrom && etc ? { mergedFrom: refOf(mergeFrom), etc } : {}),
      seededVar,
      storage: checkout.strategy,
      ...(layered ? { base: layered.base, layer: { reused: layered.reused, result: layered.result, timings: layered.timings } } : {}),
      ...(request.overrideCommit ? { overrideCommit: request.overrideCommit } : {}),
      retired: retention ? await retireAfterSwap(session, retention) : [],
    };
  } catch (error) {
    // Unless the swap's rename went through (and only its last fsync failed), or a swap to it
    // is still pending, nothing boots it.
    const named = [...readBootState(sysroot).deployments, ...pendingDeployments(sysroot)];
    if (!named.some((deployment) => sameDeployment(deployment, ref))) {
      await removeDeployment(session, ref).catch(() => undefined);
      releaseDeployment(repo, ref);
    }
    throw error;
  } finally {
    layered?.tree?.dispose();
  }
}

/**
 * Retention deletes once the boot order with the new default is live. A failure there is reported and
 * does not fail the deploy, which has happened; `arbor cleanup` finishes the job.
 */
async function retireAfterSwap(session: SysrootSession, plan: RetentionPlan): Promise<DeploymentRef[]> {
  try {
    return await removeRetired(session, plan, plan.kept);
  } catch (error) {
    session.context.logger.warn(`Removing old deployments failed (arbor cleanup retries): ${(error as Error).message}`);
    return [];
  }
}
