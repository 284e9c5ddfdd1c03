import path from 'node:path';
import { lstatBeneath } from '../../fs/SafePath';
import type { EtcDiff } from './diffEtc';
import { lstatOrUndefined, sameEntry, sameTree } from './diffEtc';

/**
 * Arbor's addition to ostree's merge (ARCHITECTURE.md §5.5): the files the admin changed
 * whose default also changed between the two commits. The admin's version still wins; the
 * report tells them which of their files now hide a new default. A directory counts only when
 * the admin removed it and something under its default changed, since an admin's own
 * directory is merged entry by entry and each file in it is checked on its own.
 */
export function findEtcConflicts(
  diff: EtcDiff,
  dirs: { oldDefaults: string; oldEtc: string; newDefaults: string },
): string[] {
  const conflicts: string[] = [];
  for (const relative of [...diff.modified, ...diff.added]) {
    const admin = lstatOrUndefined(path.join(dirs.oldEtc, relative));
    if (!admin || admin.isDirectory()) continue;
    if (defaultChanged(dirs, relative)) conflicts.push(relative);
  }
  for (const relative of diff.removed) {
    // Below a link in the new defaults, the default is gone (and never followed): that changed.
    const changed = !lstatBeneath(dirs.newDefaults, relative) || !sameTree(path.join(dirs.oldDefaults, relative), path.join(dirs.newDefaults, relative));
    if (changed) conflicts.push(relative);
  }
  return conflicts.sort();
}

function defaultChanged(dirs: { oldDefaults: string; newDefaults: string }, relative: string): boolean {
  const oldPath = path.join(dirs.oldDefaults, relative);
  const newPath = path.join(dirs.newDefaults, relative);
  const before = lstatOrUndefined(oldPath);
  const after = lstatBeneath(dirs.newDefaults, relative);
  if (!before || !after) return Boolean(before) !== Boolean(after);
  return !sameEntry(oldPath, before, newPath, after);
}
