import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { readBootState } from './BootState';
import { refOf } from './Deployment';
import { OriginFile } from './OriginFile';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface PinResult extends DeploymentRef {
  index: number;
  pinned: boolean;
}

/**
 * Pins (or unpins) the deployment at `index` of the boot order: `cleanup` keeps a pinned
 * deployment whatever its place. The flag lives in the origin, so it needs no boot swap.
 */
export async function pinDeployment(options: SysrootOptions & { index: number; unpin?: boolean }): Promise<PinResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: options.unpin ? 'unpin' : 'pin' }, async ({ sysroot }) => {
    const { deployments } = readBootState(sysroot);
    const deployment = deployments[options.index];
    if (!Number.isInteger(options.index) || !deployment) {
      throw new ArborError(ErrorCode.DEPLOYMENT_INDEX_INVALID, `There is no deployment at index ${options.index}`, {
        hint: deployments.length ? `Indexes go from 0 (the default) to ${deployments.length - 1}; see arbor status` : 'Nothing is deployed yet',
      });
    }
    const originPath = sysroot.originPath(deployment);
    const origin = OriginFile.read(originPath);
    origin.pinned = !options.unpin;
    origin.write(originPath);
    return { ...refOf(deployment), index: options.index, pinned: origin.pinned };
  });
}
