import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { readBootState } from './BootState';
import { bootableOf, refOf } from './Deployment';
import { Kargs } from './Kargs';
import { OriginFile } from './OriginFile';
import { swapBootOrder } from './swapBootOrder';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

export interface KargsResult {
  deployment: DeploymentRef;
  kargs: string[];
  /** Whether the boot entries were rewritten. */
  changed: boolean;
}

export interface KargsEdit {
  append?: string[];
  /** Added only when their key is not set at all. */
  appendIfMissing?: string[];
  /** `KEY=VALUE` or `KEY=OLD=NEW` (Kargs.replace). */
  replace?: string[];
  delete?: string[];
}

/**
 * Shows or edits the default deployment's kernel arguments. An edit is saved in its origin
 * (so the next deploy inherits it) and then the boot entries are swapped in anew. The swap
 * happens on every edit, even one that changes nothing, so that re-running a command
 * interrupted between the two leaves origin and entries in agreement. The edits apply in
 * rpm-ostree's order: delete, replace, append, append-if-missing.
 */
export async function editKargs(options: SysrootOptions & KargsEdit): Promise<KargsResult> {
  const editing = [options.append, options.appendIfMissing, options.replace, options.delete].some((list) => Boolean(list?.length));
  return SysrootSession.run({ ...options, lock: editing, purpose: 'kargs' }, async (session) => {
    const { sysroot, arbor, context } = session;
    const state = readBootState(sysroot);
    const current = state.deployments[0];
    if (!current) {
      throw new ArborError(ErrorCode.NO_DEPLOYMENT, `Nothing is deployed in ${sysroot.path}`, { hint: 'arbor deploy REFSPEC first' });
    }
    const originPath = sysroot.originPath(current);
    const origin = OriginFile.read(originPath);
    if (!editing) return { deployment: refOf(current), kargs: origin.kargs, changed: false };
    const before = origin.kargs;
    origin.kargs = Kargs.of(before)
      .delete(options.delete ?? [])
      .replace(options.replace ?? [])
      .append(options.append ?? [])
      .appendIfMissing(options.appendIfMissing ?? [])
      .toArray();
    origin.write(originPath);
    await swapBootOrder({ sysroot, arbor, context, order: state.deployments.map(bootableOf), versionOf: session.versionOf });
    return { deployment: refOf(current), kargs: origin.kargs, changed: before.join('\0') !== origin.kargs.join('\0') };
  });
}
