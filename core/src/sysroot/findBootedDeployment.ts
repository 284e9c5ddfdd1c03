import fs from 'node:fs';
import path from 'node:path';
import type { DeploymentRef } from '../hooks';
import { Kargs } from './Kargs';
import type { Sysroot } from './Sysroot';

/**
 * The deployment this machine booted, when the sysroot is the running system's (`/`): the
 * kernel command line's `arbor=/arbor/boot.<B>/...` link resolves to it, as the initramfs
 * resolved it at boot. On any other sysroot (an image being prepared, a test), none is.
 */
export function findBootedDeployment<T extends DeploymentRef>(sysroot: Sysroot, candidates: readonly T[]): T | undefined {
  if (sysroot.path !== '/') return undefined;
  let link: string | undefined;
  try {
    link = Kargs.parse(fs.readFileSync('/proc/cmdline', 'utf8')).get('arbor');
  } catch {
    return undefined;
  }
  if (!link) return undefined;
  let target: string;
  try {
    target = fs.realpathSync(path.join(sysroot.path, link));
  } catch {
    return undefined;
  }
  return candidates.find((candidate) => {
    try {
      return fs.realpathSync(sysroot.deploymentPath(candidate)) === target;
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
