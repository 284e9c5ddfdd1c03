import fs from 'node:fs';
import { applyXattrs, readXattrs } from '../../fs/xattr';
import type { CheckoutResult } from '../../hooks';
import { osPath } from '../../store/BytePath';
import type { DirMeta } from '../../store/DirMeta';
import type { ObjectId } from '../../store/ObjectId';
import type { Repo } from '../../store/Repo';
import type { LayerScratch } from './LayerScratch';

/**
 * The scratch tree a layered commit was made from, offered to the deploy as its checkout: the
 * unchanged files are the base's objects already, and once each changed file is replaced by a
 * link to the object it became, the tree is exactly what a `hardlink` checkout of the layered
 * commit would make (a bare repo's objects carry owner, mode and xattrs), and each directory a
 * labeler gave other metadata than it has on disk gets it, as a checkout writes it. Renaming it into place saves a second 20k-link checkout and the removal
 * of the scratch. Any other strategy checks out as usual, and the scratch is removed.
 */
export class AdoptableTree {
  private adopted = false;

  constructor(
    private readonly repo: Repo,
    private readonly scratch: LayerScratch,
    private readonly committed: {
      changed: ReadonlyArray<{ path: string; id: ObjectId }>;
      relabeledDirs: ReadonlyArray<{ path: string; meta: DirMeta }>;
      files: number;
      directories: number;
    },
    private readonly onDisposed: () => void,
  ) {}

  /** Moves the tree to `dest` for a `hardlink` deploy; undefined for any other strategy. */
  adopt(dest: string, strategy: string): CheckoutResult | undefined {
    if (strategy !== 'hardlink') return undefined;
    for (const file of this.committed.changed) {
      const target = osPath(file.path);
      const temp = `${file.path}.arbor-link`;
      fs.rmSync(osPath(temp), { force: true });
      fs.linkSync(this.repo.objectPath(file.id, 'file'), osPath(temp));
      fs.renameSync(osPath(temp), target);
    }
    // Children first, so a parent made read-only does not block them.
    for (const dir of [...this.committed.relabeledDirs].reverse()) applyDirMeta(osPath(dir.path), dir.meta);
    fs.renameSync(this.scratch.tree, dest);
    this.adopted = true;
    return { strategy, files: this.committed.files, directories: this.committed.directories };
  }

  /** Removes the scratch (and the tree, unless it was adopted). */
  dispose(): void {
    this.scratch.remove();
    if (!this.adopted) this.onDisposed();
  }
}

const isRoot = process.getuid?.() === 0;

/**
 * A directory's committed owner, mode and xattrs, as a checkout writes them: owner first (chown
 * clears setuid/setgid), then mode, then xattrs; only root sets owners and non-user xattrs.
 */
function applyDirMeta(target: string | Buffer, meta: DirMeta): void {
  if (isRoot) fs.lchownSync(target, meta.uid, meta.gid);
  fs.chmodSync(target, meta.mode & 0o7777);
  const settable = ([name]: [string, Buffer]): boolean => isRoot || name.startsWith('user.');
  const onDisk = Object.fromEntries(Object.entries(readXattrs(target)).filter((entry) => settable(entry)));
  applyXattrs(target, meta.xattrs.filter(settable), onDisk);
}
