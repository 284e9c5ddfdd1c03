import { displayPath } from './BytePath';
import { isSymlinkMode } from './FileHeader';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';
import { resolveTreePath } from './resolveTreePath';

/** One `arbor ls` line: type, mode, owner, size, ID and path (and a symlink's target). */
export interface ListedEntry {
  type: 'd' | '-' | 'l';
  /** Permission bits, with setuid/setgid/sticky. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** The file object, or for a directory its dirtree. */
  id: ObjectId;
  /** For directories: the dirmeta. */
  meta?: ObjectId;
  path: string;
  target?: string;
  xattrs: string[];
}

export interface ListTreeOptions {
  recursive?: boolean;
}

/**
 * Lists PATH of a commit the way `ostree ls` does: the entry itself first, then, for a
 * directory, its entries in name order (all the way down with `recursive`). File metadata is
 * read from the objects, so this works on every repo mode.
 */
export function listTree(repo: Repo, commit: ObjectId, path = '/', options: ListTreeOptions = {}): ListedEntry[] {
  const entry = resolveTreePath(repo, commit, path);
  const out: ListedEntry[] = [];
  const file = (id: ObjectId, bytePath: string): ListedEntry => {
    const meta = repo.readFileMeta(id);
    const link = isSymlinkMode(meta.mode);
    return {
      type: link ? 'l' : '-',
      mode: meta.mode & 0o7777,
      uid: meta.uid,
      gid: meta.gid,
      size: meta.size,
      id,
      path: displayPath(bytePath),
      ...(link ? { target: displayPath(meta.target) } : {}),
      xattrs: meta.xattrs.map(([name]) => name),
    };
  };
  const dir = (tree: ObjectId, metaId: ObjectId, bytePath: string): ListedEntry => {
    const meta = repo.readDirMeta(metaId);
    return { type: 'd', mode: meta.mode & 0o7777, uid: meta.uid, gid: meta.gid, size: 0, id: tree, meta: metaId, path: displayPath(bytePath), xattrs: meta.xattrs.map(([name]) => name) };
  };
  if (entry.type === 'file') return [file(entry.file, entry.path)];
  out.push(dir(entry.tree, entry.meta, entry.path));
  // An explicit stack, not recursion: a hostile tree may be 10,000 levels deep (issue 19).
  // Entries are pushed in reverse name order, so they pop in order, each directory's entries
  // right after it.
  type Pending = { path: string; file: ObjectId } | { path: string; tree: ObjectId; meta: ObjectId };
  const stack: Pending[] = [];
  const pushChildren = (tree: ObjectId, dirPath: string): void => {
    const listing = repo.readDirTree(tree);
    const prefix = dirPath === '/' ? '/' : `${dirPath}/`;
    const children: Array<{ name: string; item: Pending }> = [
      ...listing.files.map((item) => ({ name: item.name, item: { path: prefix + item.name, file: item.file } })),
      ...listing.dirs.map((item) => ({ name: item.name, item: { path: prefix + item.name, tree: item.tree, meta: item.meta } })),
    ].sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
    for (const child of children) stack.push(child.item);
  };
  pushChildren(entry.tree, entry.path);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ('file' in item) {
      out.push(file(item.file, item.path));
      continue;
    }
    out.push(dir(item.tree, item.meta, item.path));
    if (options.recursive) pushChildren(item.tree, item.path);
  }
  return out;
}
