import type { BootDeployment, DeploymentRef } from '../hooks';

/**
 * A deployment's name on disk, `<commit>.<serial>`: the serial counts re-deploys of the same
 * commit in one stateroot, so deploying a commit twice gives two distinct trees.
 */
export function deploymentId(ref: Pick<DeploymentRef, 'commit' | 'serial'>): string {
  return `${ref.commit}.${ref.serial}`;
}

export function sameDeployment(a: DeploymentRef, b: DeploymentRef): boolean {
  return a.stateroot === b.stateroot && a.commit === b.commit && a.serial === b.serial;
}

export function refOf(deployment: DeploymentRef): DeploymentRef {
  return { stateroot: deployment.stateroot, commit: deployment.commit, serial: deployment.serial };
}

/** The next free serial for `commit` in `stateroot`, given every deployment that exists. */
export function nextSerial(existing: readonly DeploymentRef[], stateroot: string, commit: string): number {
  const serials = existing.filter((d) => d.stateroot === stateroot && d.commit === commit).map((d) => d.serial);
  return serials.length ? Math.max(...serials) + 1 : 0;
}

/** What a deployment brings to the boot order: its identity and its kernel. */
export interface BootableDeployment extends DeploymentRef {
  bootcsum: string;
  kernelVersion: string;
}

export function bootableOf(deployment: BootDeployment | BootableDeployment): BootableDeployment {
  const { stateroot, commit, serial, bootcsum, kernelVersion } = deployment;
  return { stateroot, commit, serial, bootcsum, kernelVersion };
}
