import type { DeploymentRef } from '../hooks';
import type { Repo } from '../store/Repo';
import { deploymentId } from './Deployment';
import { LAYER_REF_PREFIX, readLayeredCommit } from './layer/LayerMetadata';

/**
 * One ref per deployment, `arbor/deploy/<stateroot>/<commit>.<serial>`, so that no prune (the
 * one `cleanup` runs, or a plain `arbor prune` on the sysroot's repo) deletes a commit that a
 * deployment still boots; ostree keeps `ostree/<B>/<S>/<n>` refs for the same reason. A
 * deployment is protected before it enters the boot order and released after it leaves.
 * A layered deployment also holds its base (`arbor/deploy-base/...`): cleanup prunes to depth
 * 0, and uninstall or override reset deploy that base again.
 */
const PREFIX = 'arbor/deploy/';
const BASE_PREFIX = 'arbor/deploy-base/';

export function deploymentRef(deployment: DeploymentRef): string {
  return `${PREFIX}${deployment.stateroot}/${deploymentId(deployment)}`;
}

function baseRef(deployment: DeploymentRef): string {
  return `${BASE_PREFIX}${deployment.stateroot}/${deploymentId(deployment)}`;
}

export function protectDeployment(repo: Repo, deployment: DeploymentRef): void {
  repo.setRef(deploymentRef(deployment), deployment.commit);
  const base = readLayeredCommit(repo, deployment.commit)?.base;
  if (base && repo.hasObject(base, 'commit')) repo.setRef(baseRef(deployment), base);
}

export function releaseDeployment(repo: Repo, deployment: DeploymentRef): void {
  for (const ref of [deploymentRef(deployment), baseRef(deployment)]) {
    if (repo.readRef(ref) !== undefined) repo.deleteRef(ref);
  }
}

/**
 * Leaves exactly the refs the deployments in `keep` need: missing ones are added, stale ones
 * go, and so do layered-commit cache refs (`arbor/layer/<key>`) no kept deployment boots.
 */
export function syncDeploymentRefs(repo: Repo, keep: readonly DeploymentRef[]): void {
  const wanted = new Set(keep.flatMap((deployment) => [deploymentRef(deployment), baseRef(deployment)]));
  const commits = new Set(keep.map((deployment) => deployment.commit));
  for (const [ref, commit] of Object.entries(repo.listRefs())) {
    const stale = ref.startsWith(PREFIX) || ref.startsWith(BASE_PREFIX) ? !wanted.has(ref) : ref.startsWith(LAYER_REF_PREFIX) && !commits.has(commit);
    if (stale) repo.deleteRef(ref);
  }
  for (const deployment of keep) {
    if (repo.readRef(deploymentRef(deployment)) !== deployment.commit) protectDeployment(repo, deployment);
    else if (readLayeredCommit(repo, deployment.commit) && repo.readRef(baseRef(deployment)) === undefined) protectDeployment(repo, deployment);
  }
}
