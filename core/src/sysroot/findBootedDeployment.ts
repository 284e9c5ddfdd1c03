import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import type { Sysroot } from './Sysroot';

/**
 * The deployment this machine booted: the one whose directory is `/`. arbor-prepare-root makes
 * a bind mount of the deployment the root, and a bind mount shows its source's device and
 * inode, so `/` and the deployment directory stat the same (ostree matches them the same
 * way). The kernel command line is not used: its arbor= link names a boot version that later
 * deploys rewrite, while `/` stays the tree that booted. On a sysroot that is not the running
 * system's (an image being prepared, a test) no deployment is `/`, so none is booted.
 */
export function findBootedDeployment<T extends DeploymentRef>(sysroot: Sysroot, candidates: readonly T[]): T | undefined {
  let root: fs.BigIntStats;
  try {
    root = fs.statSync('/', { bigint: true });
  } catch {
    return undefined;
  }
  return candidates.find((candidate) => {
    try {
      const stat = fs.statSync(sysroot.deploymentPath(candidate), { bigint: true });
      return stat.isDirectory() && stat.dev === root.dev && stat.ino === root.ino;
    } catch {
      return false;
    }
  });
}

/**
 * The merge deployment for a new deployment of `stateroot` (docs/sysroot.md, the /etc merge.1): the booted
 * one if it belongs to that stateroot, else that stateroot's first in the boot order. Its
 * /etc is merged into the new deployment, and its kargs are inherited.
 */
export function findMergeDeployment<T extends DeploymentRef>(sysroot: Sysroot, order: readonly T[], stateroot: string): T | undefined {
  const booted = findBootedDeployment(sysroot, order);
  if (booted && booted.stateroot === stateroot) return order.find((deployment) => deployment === booted);
  return order.find((deployment) => deployment.stateroot === stateroot);
}

/**
 * The deployment `upgrade` and `rebase` start from, rpm-ostree's origin merge deployment: of
 * the given stateroot, else the booted one's, else the default's, the pending deployment (the
 * staged one, else the first in the boot order). Its origin is the latest the admin asked for,
 * so a rebase or an install not yet booted into is carried on rather than undone. Its /etc is
 * not what gets merged: deploy takes that from findMergeDeployment. `what` names the command
 * for the error when nothing is deployed.
 */
export function findCurrentDeployment<T extends DeploymentRef, S extends DeploymentRef>(
  sysroot: Sysroot,
  order: readonly T[],
  options: { stateroot?: string; staged: S | undefined; what: string; hint: string },
): T | S {
  const stateroot = options.stateroot !== undefined
    ? sysroot.resolveStateroot(options.stateroot)
    : (findBootedDeployment(sysroot, order) ?? options.staged ?? order[0])?.stateroot;
  const current = stateroot === undefined ? undefined : pendingDeployment(order, options.staged, stateroot);
  if (!current) {
    throw new ArborError(ErrorCode.NO_DEPLOYMENT, `Nothing is deployed in ${sysroot.path} to ${options.what}`, { hint: options.hint });
  }
  return current;
}

/**
 * The stateroot's pending deployment: the staged one when there is one, else its first in the
 * boot order, the one the admin changed last.
 */
export function pendingDeployment<T extends DeploymentRef, S extends DeploymentRef>(order: readonly T[], staged: S | undefined, stateroot: string): T | S | undefined {
  if (staged && staged.stateroot === stateroot) return staged;
  return order.find((deployment) => deployment.stateroot === stateroot);
}
