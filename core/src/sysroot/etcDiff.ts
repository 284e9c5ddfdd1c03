import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { readBootState } from './BootState';
import { refOf } from './Deployment';
import { diffEtc, type EtcDiff } from './etc/diffEtc';
import { findBootedDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface EtcDiffResult extends EtcDiff {
  deployment: DeploymentRef;
  /**
   * Files the admin changed whose default changed too, as the merge that made this
   * deployment found them, kept while the admin's change is still there.
   */
  conflicts: string[];
}

/**
 * `arbor etc diff`: what the admin changed in the booted deployment's /etc (else the
 * default's), compared with its defaults in usr/etc, and the conflicts its merge reported.
 */
export async function etcDiff(options: SysrootOptions): Promise<EtcDiffResult> {
  return SysrootSession.run({ ...options, lock: false, purpose: 'etc diff' }, async ({ sysroot }) => {
    const { deployments } = readBootState(sysroot);
    const deployment = findBootedDeployment(sysroot, deployments) ?? deployments[0];
    if (!deployment) {
      throw new ArborError(ErrorCode.NO_DEPLOYMENT, `Nothing is deployed in ${sysroot.path}`, { hint: 'arbor deploy REFSPEC first' });
    }
    const root = sysroot.deploymentPath(deployment);
    const diff = diffEtc(path.join(root, 'usr', 'etc'), path.join(root, 'etc'));
    const changed = new Set([...diff.modified, ...diff.added, ...diff.removed]);
    const conflicts = OriginFile.read(sysroot.originPath(deployment)).etcConflicts.filter((file) => changed.has(file));
    return { deployment: refOf(deployment), ...diff, conflicts };
  });
}
