import fs from 'node:fs';
import path from 'node:path';
import { BootFilesystem } from '../boot/BootFilesystem';
import type { DeploymentRef } from '../hooks';
import { prune, type PruneResult } from '../store/prune';
import { readBootState, type BootState } from './BootState';
import { bootableOf, deploymentId, refOf } from './Deployment';
import { syncDeploymentRefs } from './DeploymentRefs';
import { sweepLayerLeftovers } from './layer/sweepLayerLeftovers';
import { OriginFile } from './OriginFile';
import { pendingStaged } from './StagedDeployment';
import { swapBootOrder } from './swapBootOrder';
import type { Sysroot } from './Sysroot';
import { SysrootSession, type SysrootOptions } from './SysrootSession';
import { removeDeployment } from './removeDeployment';
import { DEFAULT_KEEP, removeUnusedKernels } from './retention';
import { findBootedDeployment } from './findBootedDeployment';

export interface CleanupResult {
  /** The boot order after cleanup. */
  kept: DeploymentRef[];
  /** Deployments taken out of the boot order and deleted. */
  removed: DeploymentRef[];
  /** Every path deleted: those deployments, trees of interrupted deploys, unused kernels, old boot versions. */
  deleted: string[];
  prune: PruneResult;
}

export interface CleanupOptions extends SysrootOptions {
  /** Unpinned deployments kept besides the default (`--keep`; else the sysroot config's `keep`, else 1). */
  keep?: number;
}

/**
 * `arbor cleanup`: keeps the default, the next `keep` deployments in the boot order (the
 * rollback by default), the booted one and every pinned deployment, and deletes the rest,
 * whatever their stateroot. The shorter boot order is swapped in first, so no boot entry ever points at a
 * tree being deleted; then the trees, kernels and boot versions nothing references go, and
 * the repo is pruned down to the commits its refs name (each deployment holds one).
 */
export async function cleanup(options: CleanupOptions): Promise<CleanupResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: 'cleanup' }, async (session) => {
    const { sysroot, arbor, context, repo } = session;
    let state = readBootState(sysroot);
    const staged = pendingStaged(sysroot, state.deployments);
    const keep = options.keep ?? sysroot.config.keep ?? DEFAULT_KEEP;
    const booted = findBootedDeployment(sysroot, state.deployments);
    const kept = state.deployments.filter((deployment, index) =>
      index <= keep || deployment === booted || OriginFile.read(sysroot.originPath(deployment)).pinned);
    const removed = state.deployments.filter((deployment) => !kept.includes(deployment));
    if (removed.length > 0) {
      state = await swapBootOrder({ sysroot, arbor, context, order: kept.map(bootableOf), versionOf: session.versionOf });
    }
    const live = [...kept, ...(staged ? [staged] : [])];
    const deleted = [
      ...await removeUnusedDeployments(session, live),
      ...removeUnusedKernels(sysroot, live),
      ...removeInactiveBootVersions(sysroot, state),
      ...sweepLayerLeftovers(sysroot, live),
    ];
    syncDeploymentRefs(repo, live);
    // Depth 0, as ostree's cleanup: a client keeps the commits its refs and deployments name,
    // not their history.
    const pruned = await prune(arbor, repo, { depth: 0, signal: context.signal });
    return { kept: kept.map(refOf), removed: removed.map(refOf), deleted, prune: pruned };
  });
}

/**
 * Deletes every deployment tree and origin that neither the boot order nor a staged deploy
 * holds; each tree goes through the storage strategy that made it.
 */
async function removeUnusedDeployments(session: SysrootSession, live: readonly DeploymentRef[]): Promise<string[]> {
  const { sysroot } = session;
  const deleted: string[] = [];
  for (const stateroot of sysroot.stateroots()) {
    const dir = sysroot.deploymentsDir(stateroot);
    const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const keep = new Set(live.filter((d) => d.stateroot === stateroot).flatMap((d) => [deploymentId(d), `${deploymentId(d)}.origin`]));
    for (const name of names.filter((entry) => !keep.has(entry))) {
      const deployment = parseDeploymentName(name);
      if (deployment) await removeDeployment(session, { stateroot, ...deployment });
      else rootFilesystem(sysroot).removeTree(path.relative(sysroot.path, path.join(dir, name)));
      deleted.push(path.join(dir, name));
    }
  }
  return deleted;
}

/** `<commit>.<serial>` (a tree) into its parts; origins and strays are not trees. */
function parseDeploymentName(name: string): { commit: string; serial: number } | undefined {
  const match = /^([0-9a-f]{64})\.(\d+)$/.exec(name);
  return match ? { commit: match[1]!, serial: Number(match[2]) } : undefined;
}

/**
 * The boot version and links sub-version that are not live: what the last swap left behind.
 * Through BootFilesystem, on /boot and on the root filesystem, so an errno names the path and
 * the filesystem.
 */
function removeInactiveBootVersions(sysroot: Sysroot, state: BootState): string[] {
  if (!state.live) return [];
  const other = 1 - state.bootVersion;
  const boot = new BootFilesystem(sysroot.bootDir, '/boot');
  const root = rootFilesystem(sysroot);
  const links = path.relative(sysroot.path, sysroot.arborDir);
  const candidates: [BootFilesystem, string][] = [
    // The inactive loader directory of BLS writers (it is theirs, but nothing else names it).
    [boot, `loader.${other}`],
    [root, `${links}/boot.${other}`],
    [root, `${links}/boot.${other}.0`],
    [root, `${links}/boot.${other}.1`],
    [root, `${links}/boot.${state.bootVersion}.${1 - state.subBootVersion}`],
  ];
  return candidates.filter(([filesystem, candidate]) => {
    if (!fs.lstatSync(filesystem.resolve(candidate), { throwIfNoEntry: false })) return false;
    filesystem.removeTree(candidate);
    return true;
  }).map(([filesystem, candidate]) => filesystem.resolve(candidate));
}

/** The sysroot's own filesystem, for the errors of what cleanup deletes outside /boot. */
function rootFilesystem(sysroot: Sysroot): BootFilesystem {
  return new BootFilesystem(sysroot.path, 'root filesystem');
}
