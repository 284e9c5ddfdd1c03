import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { DEFAULT_STRATEGY } from '../store/checkoutCommit';
import { OriginFile } from './OriginFile';
import type { SysrootSession } from './SysrootSession';

/** The strategy deploy uses: the config's `storage`, else the sysroot's recorded one, else hardlink. */
export function deployStrategy(session: SysrootSession): string {
  return session.storage ?? session.sysroot.config.storage ?? DEFAULT_STRATEGY;
}

/**
 * Removes a deployment's tree through the storage strategy that made it (its origin says
 * which; a tree with no origin, left by a killed deploy, goes through the sysroot's strategy),
 * then its origin. A strategy such as a btrfs subvolume can so delete what it created.
 */
export async function removeDeployment(session: SysrootSession, ref: DeploymentRef): Promise<void> {
  const { sysroot } = session;
  const dir = sysroot.deploymentPath(ref);
  const originPath = sysroot.originPath(ref);
  if (fs.lstatSync(dir, { throwIfNoEntry: false })) {
    const recorded = fs.existsSync(originPath) ? OriginFile.read(originPath).storage : undefined;
    await removeCheckout(session, dir, recorded ?? deployStrategy(session));
  }
  fs.rmSync(originPath, { force: true });
}

/** Removes one checkout through its strategy's `removeCheckout` tap. */
export async function removeCheckout(session: SysrootSession, dir: string, strategy: string): Promise<void> {
  const handled = await session.arbor.hooks.removeCheckout.promise({ path: dir, strategy, repo: session.repo }, session.context);
  if (!handled) {
    throw new ArborError(ErrorCode.STORAGE_UNKNOWN, `No plugin removes checkouts made with storage strategy "${strategy}" (${dir})`, {
      hint: 'Add the plugin that provides the strategy to the config (storage provides hardlink, reflink and copy)',
    });
  }
}
