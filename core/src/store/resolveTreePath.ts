import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { bytePathFromOs } from './BytePath';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';

export type TreeEntry =
  | { type: 'dir'; path: string; tree: ObjectId; meta: ObjectId }
  | { type: 'file'; path: string; file: ObjectId };

/**
 * Finds `path` (`/usr/bin`, `usr/bin` or `/`) inside a commit's tree by reading one dirtree per
 * component. The path is given as the user typed it (UTF-8) and compared as bytes.
 */
export function resolveTreePath(repo: Repo, commitId: ObjectId, path: string): TreeEntry {
  const commit = repo.readCommit(commitId);
  const parts = bytePathFromOs(path).split('/').filter((part) => part !== '' && part !== '.');
  let current: TreeEntry = { type: 'dir', path: '/', tree: commit.rootTree, meta: commit.rootMeta };
  for (const [index, part] of parts.entries()) {
    if (current.type !== 'dir' || part === '..') throw notFound(path, commitId);
    const tree = repo.readDirTree(current.tree);
    const childPath = `/${parts.slice(0, index + 1).join('/')}`;
    const dir = tree.dirs.find((entry) => entry.name === part);
    if (dir) {
      current = { type: 'dir', path: childPath, tree: dir.tree, meta: dir.meta };
      continue;
    }
    const file = tree.files.find((entry) => entry.name === part);
    if (!file) throw notFound(path, commitId);
    current = { type: 'file', path: childPath, file: file.file };
  }
  return current;
}

function notFound(path: string, commitId: ObjectId): ArborError {
  return new ArborError(ErrorCode.STORE_PATH_NOT_FOUND, `${path}: no such path in commit ${commitId}`, {
    hint: 'List the tree with `arbor ls REF -R`',
  });
}
