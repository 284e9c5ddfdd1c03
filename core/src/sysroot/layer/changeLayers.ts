import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import type { DeploymentRef, LayerRequests } from '../../hooks';
import { readBootState } from '../BootState';
import { refOf } from '../Deployment';
import { deployCommit, type DeployResult } from '../deploy';
import { OriginFile } from '../OriginFile';
import { pendingStaged } from '../StagedDeployment';
import { SysrootSession, type SysrootOptions } from '../SysrootSession';
import { pendingDeployment } from '../findBootedDeployment';
import { carriedLayers } from './carriedLayers';
import { readLayeredCommit } from './LayerMetadata';
import { editRequests, type LayerChange } from './LayerRequestEdit';
import { LocalPackages } from './LocalPackages';

export interface LayerChangeOptions extends SysrootOptions {
  stateroot?: string;
  /** Stage the new deployment for `arbor finalize` instead of making it the default now. */
  stage?: boolean;
  change: LayerChange;
}

export interface LayerChangeResult {
  /** The deployment whose requests were changed (the staged one, else the stateroot's default). */
  from: DeploymentRef;
  /** Its requests, and the new deployment's. */
  previous: LayerRequests;
  requests: LayerRequests;
  /** The base both are layered on: the changed deployment's, not a newer one (that is upgrade). */
  base: string;
  deployed: DeployResult;
}

/**
 * `arbor install`, `uninstall` and `override remove|replace|reset`: change the requests of the
 * deployment the admin changed last and deploy its base again with the new requests (layered,
 * or plain when none are left). The origin with the new requests is written only with the new
 * deployment, so a failure leaves the sysroot as it was: same default, same origins, and no
 * package file this command copied in.
 */
export async function changeLayers(options: LayerChangeOptions): Promise<LayerChangeResult> {
  return SysrootSession.run({ ...options, lock: true, purpose: describeChange(options.change) }, async (session) => {
    const { sysroot, repo } = session;
    const state = readBootState(sysroot);
    const staged = pendingStaged(sysroot, state.deployments);
    const stateroot = sysroot.resolveStateroot(options.stateroot ?? (staged ?? state.deployments[0])?.stateroot);
    const from = pendingDeployment(state.deployments, staged, stateroot);
    if (!from) {
      throw new ArborError(ErrorCode.NO_DEPLOYMENT, `Nothing is deployed in stateroot ${stateroot} of ${sysroot.path} to layer packages on`, {
        hint: 'Deploy a refspec first: arbor deploy REFSPEC',
      });
    }
    const origin = OriginFile.read(sysroot.originPath(from));
    const previous = carriedLayers(sysroot, from);
    const layered = readLayeredCommit(repo, from.commit);
    const packages = new LocalPackages(sysroot);
    const added: string[] = [];
    try {
      const requests = editRequests(previous, options.change, { packages, added, ...(layered ? { result: layered.result } : {}) });
      const base = layered?.base ?? from.commit;
      if (!repo.hasObject(base, 'commit')) {
        throw new ArborError(ErrorCode.STORE_OBJECT_MISSING, `Base commit ${base} of deployment ${from.commit}.${from.serial} is not in ${repo.path}`, {
          hint: `Pull it again (arbor pull) or deploy the origin anew: arbor deploy ${origin.refspec}`,
        });
      }
      // The origin is carried (its unknown groups, a pinned override commit); the requests are new.
      const deployed = await deployCommit(session, {
        stateroot, commit: base, refspec: origin.refspec, origin, overrideCommit: origin.overrideCommit, layers: requests, stage: options.stage,
      });
      return { from: refOf(from), previous, requests, base, deployed };
    } catch (error) {
      for (const recorded of added) fs.rmSync(path.join(sysroot.path, recorded), { force: true });
      throw error;
    }
  });
}

function describeChange(change: LayerChange): string {
  switch (change.kind) {
    case 'install': return `install ${change.items.join(' ')}`;
    case 'uninstall': return `uninstall ${change.items.join(' ')}`;
    case 'override-remove': return `override remove ${change.names.join(' ')}`;
    case 'override-replace': return `override replace ${change.files.join(' ')}`;
    case 'override-reset': return `override reset ${change.all ? '--all' : change.items.join(' ')}`;
  }
}
