import fs from 'node:fs';
import { lstatBeneath, pathBeneath } from '@arbor/core';
import { treeRelativePath } from '../InstallTree';
import type { InstalledRpm } from './InstalledRpms';

/**
 * Where an rpm path lives in a tree in commit layout: /etc is kept at usr/etc
 * (docs/architecture §5), everything else where rpm put it.
 */
export function commitLayoutPath(rpmPath: string, etcInUsr: boolean): string | undefined {
  const relative = treeRelativePath(rpmPath);
  if (relative === undefined || !etcInUsr) return relative;
  return relative === 'etc' || relative.startsWith('etc/') ? `usr/${relative}` : relative;
}

/**
 * Takes a package's files out of a tree, as `rpm -e` does: every path it lists (%ghost ones
 * too) that no package staying in the tree also lists, deepest first; a directory only once
 * it is empty. Unlinking a hardlink leaves the store's object as it was. Nothing is followed
 * through a symlink. Returns how many entries went.
 */
export function erasePackage(tree: string, pkg: InstalledRpm, stillListed: (rpmPath: string) => boolean, etcInUsr: boolean): number {
  let removed = 0;
  const paths = pkg.fileList.files.map((file) => file.path).filter((file) => !stillListed(file)).sort().reverse();
  for (const rpmPath of paths) {
    const relative = commitLayoutPath(rpmPath, etcInUsr);
    if (!relative) continue;
    let stat: fs.Stats | undefined;
    try {
      stat = lstatBeneath(tree, relative);
    } catch {
      continue;
    }
    if (!stat) continue;
    const target = pathBeneath(tree, relative);
    if (stat.isDirectory()) {
      if (fs.readdirSync(target).length) continue;
      fs.rmdirSync(target);
    } else {
      fs.unlinkSync(target);
    }
    removed++;
  }
  return removed;
}
