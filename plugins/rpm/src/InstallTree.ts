import fs from 'node:fs';
import { RpmErrorCode, rpmError } from './RpmError';

/** What a path in the tree is, seen with lstat: never through a symlink. */
export type TreeEntry = { kind: 'absent' | 'directory' | 'file' | 'symlink' | 'other' };

/**
 * The tree packages are installed into, seen so that nothing can escape it: every path is
 * relative, has no `.` or `..`, and is resolved one component at a time with lstat, so a
 * symlink already in the tree is never followed (a parent that is a symlink is refused, as
 * is one that is not a directory). Lookups are cached: one InstallTree serves the planning
 * of one package, before anything is written.
 */
export class InstallTree {
  private readonly entries = new Map<string, TreeEntry>();

  constructor(
    readonly root: string,
    private readonly packageFile: string,
  ) {}

  /** The absolute path of a relative tree path ('' is the root). */
  resolve(relative: string): string {
    return relative === '' ? this.root : `${this.root}/${relative}`;
  }

  /**
   * What is at `relative`, after checking each parent is a real directory. A parent that is a
   * symlink or a file fails with PATH_UNSAFE naming it; an absent parent makes the path absent.
   */
  inspect(relative: string): TreeEntry {
    const cached = this.entries.get(relative);
    if (cached) return cached;
    let entry: TreeEntry;
    if (relative === '') {
      entry = classify(fs.lstatSync(this.root));
    } else {
      const slash = relative.lastIndexOf('/');
      const parentRelative = slash < 0 ? '' : relative.slice(0, slash);
      const parent = this.inspect(parentRelative);
      if (parent.kind === 'absent') {
        entry = parent;
      } else if (parent.kind !== 'directory') {
        throw rpmError(RpmErrorCode.PATH_UNSAFE, this.packageFile,
          `cannot install /${relative}: /${parentRelative} is a ${parent.kind} in the tree, not a directory`, {
            hint: 'Arbor never follows symlinks while unpacking; ship the path under the symlink\'s target instead',
          });
      } else {
        const stats = fs.lstatSync(this.resolve(relative), { throwIfNoEntry: false });
        entry = stats ? classify(stats) : { kind: 'absent' };
      }
    }
    this.entries.set(relative, entry);
    return entry;
  }

  /**
   * Reads a small file of the tree (etc/passwd) without following a symlink at any component;
   * undefined when absent or not a regular file.
   */
  readFile(relative: string): Buffer | undefined {
    const entry = this.inspectQuietly(relative);
    if (entry?.kind !== 'file') return undefined;
    let fd: number;
    try {
      fd = fs.openSync(this.resolve(relative), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return undefined;
    }
    try {
      return fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  private inspectQuietly(relative: string): TreeEntry | undefined {
    try {
      return this.inspect(relative);
    } catch {
      return undefined;
    }
  }
}

function classify(stats: fs.Stats): TreeEntry {
  if (stats.isDirectory()) return { kind: 'directory' };
  if (stats.isFile()) return { kind: 'file' };
  if (stats.isSymbolicLink()) return { kind: 'symlink' };
  return { kind: 'other' };
}

/**
 * A package path made relative to the tree: `/usr/bin/x` becomes `usr/bin/x`, `/` becomes ''.
 * Returns undefined for anything that could leave the tree or is not canonical (`..`, `.`,
 * empty components, NUL, a relative path).
 */
export function treeRelativePath(packagePath: string): string | undefined {
  if (!packagePath.startsWith('/') || packagePath.includes('\0')) return undefined;
  if (packagePath === '/') return '';
  const parts = packagePath.slice(1).split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..')) return undefined;
  return parts.join('/');
}

/** The directories between the tree root and a relative path, outermost first. */
export function parentsOf(relative: string): string[] {
  const parents: string[] = [];
  for (let at = relative.indexOf('/'); at >= 0; at = relative.indexOf('/', at + 1)) parents.push(relative.slice(0, at));
  return parents;
}
