import { syncFilesystem } from '../fs/syncFilesystem';
import type { DeploymentRef, EtcMergePlan, LayerRequests, LayerResult } from '../hooks';
import { checkoutCommit } from '../store/checkoutCommit';
import { verifyCommit } from '../store/verifyCommit';
import { isValidRef } from '../store/RefName';
import { readBootState } from './BootState';
import { bootableOf, nextSerial, refOf, sameDeployment } from './Deployment';
import { protectDeployment, releaseDeployment } from './DeploymentRefs';
import { mergeDeploymentEtc } from './etc/mergeDeploymentEtc';
import { prepareEtc } from './etc/prepareEtc';
import { findMergeDeployment } from './findBootedDeployment';
import { carriedLayers, layerForDeploy, layerSource } from './layer/carriedLayers';
import { findKernel, installKernel } from './installKernel';
import { Kargs } from './Kargs';
import { OriginFile } from './OriginFile';
import { deployStrategy, removeDeployment } from './removeDeployment';
import { seedVar } from './seedVar';
import { clearFinalizeFailure, discardStaged, pendingStaged, writeStaged } from './StagedDeployment';
import { swapBootOrder } from './swapBootOrder';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface DeployOptions extends SysrootOptions {
  /** REMOTE:REF, a local REF, or a commit ID (or unique prefix). */
  refspec: string;
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
}

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
}

/** `arbor deploy`: the commit a refspec names becomes a new deployment, and the default. */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: `deploy ${options.refspec}` }, async (session) => {
    const stateroot = session.sysroot.resolveStateroot(options.stateroot);
    const commit = session.repo.resolveRev(options.refspec);
    return deployCommit(session, { ...options, stateroot, commit, refspec: originRefspec(session, options.refspec, commit) });
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
export async function deployCommit(
  session: SysrootSession,
  request: Omit<DeployOptions, keyof SysrootOptions> & { stateroot: string; commit: string },
): Promise<DeployResult> {
  const { sysroot, arbor, context, repo } = session;
  const { stateroot, refspec } = request;
  const state = readBootState(sysroot);
  const staged = pendingStaged(sysroot, state.deployments);
  const from = findMergeDeployment(sysroot, state.deployments, stateroot);
  // With layer requests, what is deployed is the base with the packages applied (docs/layering.md);
  // done first, so a layering that fails leaves everything, a staged deployment too, as it was.
  const layers = request.layers ?? carriedLayers(sysroot, layerSource(state.deployments, staged, stateroot));
  const layered = await layerForDeploy(session, { base: request.commit, layers, mergeFrom: from });
  const commit = layered?.commit ?? request.commit;
  // A new deploy replaces a staged one, which would otherwise undo it at shutdown (as ostree).
  if (staged) await discardStaged(session, staged);

  const inherited = from ? OriginFile.read(sysroot.originPath(from)).kargs : [];
  const kargs = Kargs.of(inherited).append(request.kargs ?? []).toArray();
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
    const origin = OriginFile.create({ refspec, kargs });
    origin.storage = strategy;
    origin.layers = layers;
    origin.etcConflicts = etc?.conflicts ?? [];
    origin.write(sysroot.originPath(ref));
    const event = { sysroot: sysroot.path, stateroot, commit, serial: ref.serial, refspec, path, staged: Boolean(request.stage) };
    await arbor.hooks.deploy.promise(etc ? { ...event, etc } : event, context);
    protectDeployment(repo, ref);
    syncFilesystem(path);

    if (request.stage) {
      const version = session.versionOf(commit);
      writeStaged(sysroot, { ...bootable, refspec, ...(version ? { version } : {}), noMerge: request.merge === false, stagedAt: new Date().toISOString() });
    } else {
      await swapBootOrder({ sysroot, arbor, context, order: [bootable, ...state.deployments.map(bootableOf)], versionOf: session.versionOf });
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
    };
  } catch (error) {
    // Unless the swap's rename went through (and only its last fsync failed), nothing boots it.
    if (!readBootState(sysroot).deployments.some((deployment) => sameDeployment(deployment, ref))) {
      await removeDeployment(session, ref).catch(() => undefined);
      releaseDeployment(repo, ref);
    }
    throw error;
  } finally {
    layered?.tree?.dispose();
  }
}

/**
 * What the origin records: a ref is followed by later upgrades, so it is kept as written;
 * anything else (an ID, a prefix, `REF^`) pins the commit, recorded in full.
 */
function originRefspec(session: SysrootSession, refspec: string, commit: string): string {
  return isValidRef(refspec) && session.repo.readRef(refspec) === commit ? refspec : commit;
}
