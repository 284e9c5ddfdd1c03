import fs from 'node:fs';
import path from 'node:path';
import { ArborError, ErrorCode, copyEntry, copyMetadata, lstatBeneath, mkdirBeneath, pathBeneath, removeBeneath, type EtcMergeInput, type EtcMergePlan } from '@arbor/core';

/**
 * Applies the admin's changes to the new deployment's etc, with ostree's rules
 * (docs/sysroot.md, the /etc merge.4): removals first, so the admin's deletion wins; then every modified
 * and added entry is copied over, parents before children. Missing parent directories get
 * the mode and owner they had in the old etc; symlinks are copied as links; special files are
 * left out and reported. Every refusal is found before the first change, so a failed merge
 * leaves the new etc exactly as it was. The new etc is a copy of an untrusted commit's
 * usr/etc, so every path in it is resolved beneath it (@arbor/core's SafePath): a default that
 * is a symlink never leads a removal, a mkdir or a copy out of the deployment.
 */
export function applyEtcMerge(plan: EtcMergePlan, input: EtcMergeInput): EtcMergePlan {
  const skipped = new Set(plan.skipped);
  const entries = [...new Set([...plan.modified, ...plan.added])]
    .filter((relative) => !skipped.has(relative))
    .sort();
  const admin = new Map(entries.map((relative) => [relative, fs.lstatSync(path.join(input.oldEtc, relative))]));
  const specials = entries.filter((relative) => !isCopyable(admin.get(relative)!));
  checkMergeable(entries, admin, input.newEtc);

  // A removed path below a link in the new etc is not in the new etc at all: nothing to remove.
  for (const relative of plan.removed) removeBeneath(input.newEtc, relative);
  for (const relative of entries) {
    const stat = admin.get(relative)!;
    if (!isCopyable(stat)) continue;
    ensureParents(relative, input);
    copyOver(relative, stat, input);
  }
  return { ...plan, skipped: [...skipped, ...specials].sort(), applied: true };
}

/** ostree's two refusals, checked up front: a file over a new default directory, and a file under a new default non-directory. */
function checkMergeable(entries: string[], admin: Map<string, fs.Stats>, newEtc: string): void {
  const directories = new Set(entries.filter((relative) => admin.get(relative)!.isDirectory()));
  for (const relative of entries) {
    const stat = admin.get(relative)!;
    const current = lstatBeneath(newEtc, relative);
    if (!stat.isDirectory() && isCopyable(stat) && current?.isDirectory()) {
      throw new ArborError(ErrorCode.ETC_NEWLY_DIRECTORY, `Modified config file /etc/${relative} newly defaults to a directory; cannot merge`, {
        hint: `The new default of /etc/${relative} is a directory. Move your /etc/${relative} aside (or delete it to take the new default), then deploy again`,
      });
    }
    for (const parent of ancestorsOf(relative)) {
      const parentStat = lstatBeneath(newEtc, parent);
      if (parentStat && !parentStat.isDirectory() && !directories.has(parent)) {
        throw new ArborError(ErrorCode.ETC_PARENT_NOT_DIRECTORY, `Config file /etc/${relative} cannot be merged: its directory /etc/${parent} newly defaults to ${parentStat.isSymbolicLink() ? 'a symlink' : 'a file'}`, {
          hint: `Move /etc/${parent} aside in the running system, then deploy again`,
        });
      }
    }
  }
}

/** Creates the missing parents of `relative` in the new etc, with the old etc's mode and owner. */
function ensureParents(relative: string, input: EtcMergeInput): void {
  for (const parent of ancestorsOf(relative)) {
    if (lstatBeneath(input.newEtc, parent)) continue;
    const source = path.join(input.oldEtc, parent);
    const target = mkdirBeneath(input.newEtc, parent, 0o700);
    copyMetadata(source, target, fs.lstatSync(source));
  }
}

/** Puts the admin's entry at `relative`: a directory keeps its new contents and takes the admin's metadata. */
function copyOver(relative: string, stat: fs.Stats, input: EtcMergeInput): void {
  const source = path.join(input.oldEtc, relative);
  const target = pathBeneath(input.newEtc, relative);
  const current = lstatBeneath(input.newEtc, relative);
  if (stat.isDirectory()) {
    if (current && !current.isDirectory()) fs.rmSync(target);
    if (!current || !current.isDirectory()) fs.mkdirSync(target, { mode: 0o700 });
    copyMetadata(source, target, stat);
    return;
  }
  if (current) fs.rmSync(target);
  copyEntry(source, target, stat);
}

function ancestorsOf(relative: string): string[] {
  const parts = relative.split('/');
  return parts.slice(0, -1).map((_, index) => parts.slice(0, index + 1).join('/'));
}

function isCopyable(stat: fs.Stats): boolean {
  return stat.isFile() || stat.isSymbolicLink() || stat.isDirectory();
}
