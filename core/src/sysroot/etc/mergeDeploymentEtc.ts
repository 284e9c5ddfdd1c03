import path from 'node:path';
import type { Arbor } from '../../Arbor';
import type { HookContext } from '../../HookContext';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import { assertRealDirectory } from '../../fs/SafePath';
import type { EtcMergeInput, EtcMergePlan } from '../../hooks';
import { diffEtc } from './diffEtc';
import { findEtcConflicts } from './findEtcConflicts';

/**
 * The 3-way /etc merge from the merge deployment into a new one (docs/sysroot.md, the /etc merge). The
 * core computes the report, the same whatever the strategy: the admin's changes (old usr/etc
 * -> old etc) and the conflicts with the new defaults. The `mergeEtc` taps then apply it; the
 * default strategy is @arbor/plugin-etc-merge. A merge nobody applied is an error, since the
 * admin's configuration would silently vanish.
 */
export async function mergeDeploymentEtc(options: {
  arbor: Arbor;
  context: HookContext;
  /** The merge deployment's directory. */
  from: string;
  /** The new deployment's directory, whose etc/ is a fresh copy of its usr/etc. */
  to: string;
}): Promise<EtcMergePlan> {
  const input: EtcMergeInput = {
    oldDefaults: path.join(options.from, 'usr', 'etc'),
    oldEtc: path.join(options.from, 'etc'),
    newDefaults: path.join(options.to, 'usr', 'etc'),
    newEtc: path.join(options.to, 'etc'),
  };
  // The trees the merge reads and writes must be real directories, not links out of the deployments.
  for (const dir of [input.oldDefaults, input.oldEtc, input.newDefaults, input.newEtc]) assertRealDirectory(dir, 'The merge directory');
  const diff = diffEtc(input.oldDefaults, input.oldEtc);
  const { conflicts, defaultRemoved } = findEtcConflicts(diff, input);
  const plan = await options.arbor.hooks.mergeEtc.promise({ ...diff, conflicts, defaultRemoved, applied: false }, input, options.context);
  if (!plan.applied) {
    throw new ArborError(ErrorCode.ETC_NOT_MERGED, 'No plugin applied the /etc merge, so the admin\'s changes to /etc would be lost', {
      hint: 'Add "etc-merge" to the config\'s plugins (the default preset has it), or deploy with --no-merge',
    });
  }
  return plan;
}
