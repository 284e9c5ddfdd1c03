import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a package is unpacked before any of it reaches the tree: a directory on the tree's
 * filesystem that mirrors the tree's layout. Files are staged at their final relative paths,
 * so a directory the tree does not have yet moves into place whole, with one rename, and
 * only files that land in existing directories are renamed one by one.
 */
export class StagingTree {
  private readonly directories = new Set<string>(['']);

  private constructor(readonly root: string) {}

  /**
   * An empty staging directory for `treeRoot`: beside the tree when its parent is on the same
   * filesystem, so nothing is written inside the tree before the package has proved good;
   * inside it otherwise, since a rename cannot cross filesystems. remove() deletes it.
   */
  static create(treeRoot: string): StagingTree {
    const parent = path.dirname(treeRoot);
    const sameFilesystem = parent !== treeRoot && fs.statSync(parent).dev === fs.statSync(treeRoot).dev;
    return new StagingTree(fs.mkdtempSync(path.join(sameFilesystem ? parent : treeRoot, '.arbor-rpm-stage-')));
  }

  resolve(relative: string): string {
    return relative === '' ? this.root : `${this.root}/${relative}`;
  }

  /** The staging path for a tree-relative path, its parent directories made. */
  prepare(relative: string): string {
    const slash = relative.lastIndexOf('/');
    this.directory(slash < 0 ? '' : relative.slice(0, slash));
    return this.resolve(relative);
  }

  /** Makes a staging directory and its parents (their metadata is set once they are placed). */
  directory(relative: string): void {
    if (this.directories.has(relative)) return;
    const slash = relative.lastIndexOf('/');
    this.directory(slash < 0 ? '' : relative.slice(0, slash));
    fs.mkdirSync(this.resolve(relative));
    this.directories.add(relative);
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
