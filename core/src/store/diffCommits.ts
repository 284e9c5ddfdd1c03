import { displayPath } from './BytePath';
import type { DirTree } from './DirTree';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';

/** Paths (UTF-8 for display, starting with `/`) that differ between two commits. */
export interface TreeDiff {
  added: string[];
  modified: string[];
  removed: string[];
}

/**
 * Compares two commits' trees. Subtrees with the same dirtree ID are skipped without reading
 * them, so a diff costs in proportion to what changed. A file is modified when its object ID
 * differs (content, owner, mode, symlink target or xattrs); a directory when its dirmeta does.
 * Added and removed subtrees list every path inside them. A path that changed type is removed
 * then added.
 */
export function diffCommits(repo: Repo, from: ObjectId, to: ObjectId): TreeDiff {
  const a = repo.readCommit(from);
  const b = repo.readCommit(to);
  const diff: TreeDiff = { added: [], modified: [], removed: [] };
  if (a.rootMeta !== b.rootMeta) diff.modified.push('/');
  compareTrees(repo, a.rootTree, b.rootTree, '/', diff);
  diff.added.sort();
  diff.modified.sort();
  diff.removed.sort();
  return diff;
}

/** An explicit stack of directory pairs, not recursion: a hostile tree may be 10,000 levels deep. */
function compareTrees(repo: Repo, rootFrom: ObjectId, rootTo: ObjectId, rootDir: string, diff: TreeDiff): void {
  const stack: Array<{ fromTree: ObjectId; toTree: ObjectId; dir: string }> = [{ fromTree: rootFrom, toTree: rootTo, dir: rootDir }];
  while (stack.length > 0) {
    const { fromTree, toTree, dir } = stack.pop()!;
    if (fromTree === toTree) continue;
    const a = repo.readDirTree(fromTree);
    const b = repo.readDirTree(toTree);
    const prefix = dir === '/' ? '/' : `${dir}/`;
    const aFiles = new Map(a.files.map((entry) => [entry.name, entry.file]));
    const bFiles = new Map(b.files.map((entry) => [entry.name, entry.file]));
    const aDirs = new Map(a.dirs.map((entry) => [entry.name, entry]));
    const bDirs = new Map(b.dirs.map((entry) => [entry.name, entry]));
    for (const [name, id] of aFiles) {
      const other = bFiles.get(name);
      if (other === undefined) diff.removed.push(displayPath(prefix + name));
      else if (other !== id) diff.modified.push(displayPath(prefix + name));
    }
    for (const name of bFiles.keys()) if (!aFiles.has(name)) diff.added.push(displayPath(prefix + name));
    for (const [name, entry] of aDirs) {
      const other = bDirs.get(name);
      if (!other) {
        listAll(repo, entry.tree, prefix + name, diff.removed);
        continue;
      }
      if (other.meta !== entry.meta) diff.modified.push(displayPath(prefix + name));
      stack.push({ fromTree: entry.tree, toTree: other.tree, dir: prefix + name });
    }
    for (const [name, entry] of bDirs) if (!aDirs.has(name)) listAll(repo, entry.tree, prefix + name, diff.added);
  }
}

function listAll(repo: Repo, rootTree: ObjectId, rootDir: string, into: string[]): void {
  const stack: Array<{ tree: ObjectId; dir: string }> = [{ tree: rootTree, dir: rootDir }];
  while (stack.length > 0) {
    const { tree, dir } = stack.pop()!;
    into.push(displayPath(dir));
    const listing: DirTree = repo.readDirTree(tree);
    for (const file of listing.files) into.push(displayPath(`${dir}/${file.name}`));
    for (const child of listing.dirs) stack.push({ tree: child.tree, dir: `${dir}/${child.name}` });
  }
}
