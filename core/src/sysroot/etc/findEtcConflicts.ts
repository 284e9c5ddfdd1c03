import path from 'node:path';
import { lstatBeneath } from '../../fs/SafePath';
import type { EtcDiff } from './diffEtc';
import { lstatOrUndefined } from '../../fs/SafePath';
import { sameEntry, sameTree } from './diffEtc';

export interface EtcConflicts {
  /** Admin-changed files whose default also changed (still shipped, but different). */
  conflicts: string[];
  /** Admin-changed files whose default the new tree no longer ships (say, its package was removed). */
  defaultRemoved: string[];
}

/**
 * Arbor's addition to ostree's merge (docs/sysroot.md, the /etc merge.5): the files the admin changed
 * whose default also changed between the two commits. The admin's version still wins; the
 * report tells them which of their files now hide a new default. A default the new tree no
 * longer ships is told apart: nothing is hidden, the admin's file simply has no default any
 * more. A directory counts only when the admin removed it and something under its default
 * changed, since an admin's own directory is merged entry by entry and each file in it is
 * checked on its own. Removing what the new tree removed too is agreement, not a conflict.
 */
export function findEtcConflicts(
  diff: EtcDiff,
  dirs: { oldDefaults: string; oldEtc: string; newDefaults: string },
): EtcConflicts {
  const conflicts: string[] = [];
  const defaultRemoved: string[] = [];
  for (const relative of [...diff.modified, ...diff.added]) {
    const admin = lstatOrUndefined(path.join(dirs.oldEtc, relative));
    if (!admin || admin.isDirectory()) continue;
    const oldPath = path.join(dirs.oldDefaults, relative);
    const before = lstatOrUndefined(oldPath);
    // Below a link in the new defaults, the default is gone: links are never followed.
    const after = lstatBeneath(dirs.newDefaults, relative);
    if (before && !after) defaultRemoved.push(relative);
    else if (!before ? Boolean(after) : !sameEntry(oldPath, before, path.join(dirs.newDefaults, relative), after!)) conflicts.push(relative);
  }
  for (const relative of diff.removed) {
    if (!lstatBeneath(dirs.newDefaults, relative)) continue;
    if (!sameTree(path.join(dirs.oldDefaults, relative), path.join(dirs.newDefaults, relative))) conflicts.push(relative);
  }
  return { conflicts: conflicts.sort(), defaultRemoved: defaultRemoved.sort() };
}
