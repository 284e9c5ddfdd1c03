import type { DeploymentRef } from '../hooks';
import type { Repo } from '../store/Repo';
import { deploymentId } from './Deployment';

/**
 * One ref per deployment, `arbor/deploy/<stateroot>/<commit>.<serial>`, so that no prune (the
 * one `cleanup` runs, or a plain `arbor prune` on the sysroot's repo) deletes a commit that a
 * deployment still boots; ostree keeps `ostree/<B>/<S>/<n>` refs for the same reason. A
 * deployment is protected before it enters the boot order and released after it leaves.
 */
const PREFIX = 'arbor/deploy/';

export function deploymentRef(deployment: DeploymentRef): string {
  return `${PREFIX}${deployment.stateroot}/${deploymentId(deployment)}`;
}

export function protectDeployment(repo: Repo, deployment: DeploymentRef): void {
  repo.setRef(deploymentRef(deployment), deployment.commit);
}

export function releaseDeployment(repo: Repo, deployment: DeploymentRef): void {
  if (repo.readRef(deploymentRef(deployment)) !== undefined) repo.deleteRef(deploymentRef(deployment));
}

/** Leaves exactly one ref per deployment in `keep`: missing ones are added, stale ones go. */
export function syncDeploymentRefs(repo: Repo, keep: readonly DeploymentRef[]): void {
  for (const ref of Object.keys(repo.listRefs())) {
    if (ref.startsWith(PREFIX) && !keep.some((deployment) => deploymentRef(deployment) === ref)) repo.deleteRef(ref);
  }
  for (const deployment of keep) {
    if (repo.readRef(deploymentRef(deployment)) !== deployment.commit) protectDeployment(repo, deployment);
  }
}
