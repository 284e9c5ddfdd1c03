import fs from 'node:fs';
import type { DeploymentRef } from '../../hooks';
import { OriginFile } from '../OriginFile';
import type { Sysroot } from '../Sysroot';
import { sweepLayering } from './LayerScratch';
import { LocalPackages } from './LocalPackages';

/**
 * Cleanup's share of layering: the scratch checkout a killed layering left, and the local
 * package files no live deployment's origin requests any more. Returns the paths deleted.
 */
export function sweepLayerLeftovers(sysroot: Sysroot, live: readonly DeploymentRef[]): string[] {
  const inUse = new Set<string>();
  for (const deployment of live) {
    const originPath = sysroot.originPath(deployment);
    if (!fs.existsSync(originPath)) continue;
    const layers = OriginFile.read(originPath).layers;
    for (const file of [...layers.localPackages, ...layers.replacements]) inUse.add(file);
  }
  return [...sweepLayering(sysroot), ...new LocalPackages(sysroot).removeUnused(inUse)];
}
