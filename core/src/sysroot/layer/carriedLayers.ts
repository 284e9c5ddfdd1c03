import path from 'node:path';
import type { DeploymentRef, LayerRequests } from '../../hooks';
import { OriginFile } from '../OriginFile';
import type { Sysroot } from '../Sysroot';
import type { SysrootSession } from '../SysrootSession';
import { hasRequests, noLayers } from './LayerMetadata';
import { layerCommit, type LayerCommitResult } from './layerCommit';

/** The requests that source records: what deploy, upgrade and rebase carry to the new base. */
export function carriedLayers(sysroot: Sysroot, source: DeploymentRef | undefined): LayerRequests {
  return source ? OriginFile.read(sysroot.originPath(source)).layers : noLayers();
}

/**
 * The deploy pipeline's layering step: with requests, the layered commit for `base` (made or
 * reused); without, nothing, and the base is deployed as it is. The tap reads package repos
 * from the merge deployment's /etc, where the admin configures them. The result may hold the
 * scratch tree for the deploy to adopt as its checkout; the deploy disposes of it.
 */
export async function layerForDeploy(
  session: SysrootSession,
  request: { base: string; layers: LayerRequests; mergeFrom?: DeploymentRef },
): Promise<LayerCommitResult | undefined> {
  if (!hasRequests(request.layers)) return undefined;
  const configRoot = request.mergeFrom ? path.join(session.sysroot.deploymentPath(request.mergeFrom), 'etc') : undefined;
  return layerCommit(session, { base: request.base, requests: request.layers, ...(configRoot ? { configRoot } : {}) }, { keepTree: true });
}
