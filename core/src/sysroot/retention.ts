import path from 'node:path';
import { BootFilesystem } from '../boot/BootFilesystem';
import type { DeploymentRef } from '../hooks';
import type { BootableDeployment } from './Deployment';
import { refOf } from './Deployment';
import { syncDeploymentRefs } from './DeploymentRefs';
import { findBootedDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import { removeDeployment } from './removeDeployment';
import type { Sysroot } from './Sysroot';
import type { SysrootSession } from './SysrootSession';

/**
 * How many deployments besides the default one a stateroot keeps when not pinned: 1, the
 * rollback, as rpm-ostree does. The sysroot config's `keep` or `--keep N` raises it.
 */
export const DEFAULT_KEEP = 1;

export interface RetentionPlan {
  /** The boot order with the retired deployments left out. */
  kept: BootableDeployment[];
  /** The deployments that leave the boot order and are deleted once it is swapped in. */
  retired: BootableDeployment[];
}

/**
 * Which deployments of `order` (the boot order about to be swapped in, the new default first)
 * stay. Of `stateroot`'s deployments, kept are: the default, the next `keep` in the boot order
 * (the rollback, by default), the booted one and every pinned one. Deployments of other
 * stateroots are never retired by a deploy, as ostree's simple_write_deployment keeps other
 * osnames; `arbor cleanup` is the command that trims across stateroots.
 */
export function planRetention(sysroot: Sysroot, order: readonly BootableDeployment[], options: { stateroot: string; keep?: number }): RetentionPlan {
  const keep = options.keep ?? sysroot.config.keep ?? DEFAULT_KEEP;
  const booted = findBootedDeployment(sysroot, order);
  const kept: BootableDeployment[] = [];
  const retired: BootableDeployment[] = [];
  let unpinned = 0;
  order.forEach((deployment, index) => {
    if (index === 0 || deployment.stateroot !== options.stateroot || deployment === booted || isPinned(sysroot, deployment)) {
      kept.push(deployment);
      return;
    }
    if (unpinned < keep) {
      unpinned++;
      kept.push(deployment);
    } else {
      retired.push(deployment);
    }
  });
  return { kept, retired };
}

/**
 * Deletes what a plan retired, after the shorter boot order was swapped in (so no entry ever
 * points at a tree being deleted): the trees through their storage strategy, their origins,
 * the kernels nothing boots any more and their deployment refs. The repo is not pruned here:
 * the retired commits' objects stay until `arbor cleanup` (a deploy keeps the pulled history
 * that `deploy --version` walks).
 */
export async function removeRetired(session: SysrootSession, plan: RetentionPlan, live: readonly BootableDeployment[]): Promise<DeploymentRef[]> {
  for (const deployment of plan.retired) await removeDeployment(session, deployment);
  removeUnusedKernels(session.sysroot, live);
  syncDeploymentRefs(session.repo, live);
  return plan.retired.map(refOf);
}

/**
 * Deletes /boot/arbor/<stateroot>-<bootcsum> directories no live deployment boots. Each is
 * first renamed out of its content name: installKernel takes a directory with that name for a
 * complete copy, and a kill halfway through a recursive delete would leave one that is not.
 * Every step goes through BootFilesystem: an errno names the path and the filesystem.
 */
export function removeUnusedKernels(sysroot: Sysroot, live: ReadonlyArray<{ stateroot: string; bootcsum: string }>): string[] {
  const boot = new BootFilesystem(sysroot.bootDir, '/boot');
  const keep = new Set(live.map((d) => path.basename(sysroot.kernelDir(d.stateroot, d.bootcsum))));
  const unused = boot.list(KERNELS).filter((name) => !keep.has(name));
  const doomed = unused.map((name) => {
    if (name.endsWith(REMOVING)) return name;
    // An earlier removal of the same kernel that was killed (a directory can't be renamed over a full one).
    boot.removeTree(`${KERNELS}/${name}${REMOVING}`);
    boot.rename(`${KERNELS}/${name}`, `${KERNELS}/${name}${REMOVING}`);
    return `${name}${REMOVING}`;
  });
  if (unused.length > 0) boot.syncDir(KERNELS);
  for (const name of doomed) boot.removeTree(`${KERNELS}/${name}`);
  return unused.map((name) => boot.resolve(`${KERNELS}/${name}`));
}

/** The kernels' directory, relative to /boot (Sysroot.kernelDir). */
const KERNELS = 'arbor';

/** The suffix of a kernel directory being deleted: no longer a content name, so never reused. */
const REMOVING = '.removing';

function isPinned(sysroot: Sysroot, deployment: DeploymentRef): boolean {
  try {
    return OriginFile.read(sysroot.originPath(deployment)).pinned;
  } catch {
    // An unreadable origin is kept: retention never deletes what it cannot judge.
    return true;
  }
}
