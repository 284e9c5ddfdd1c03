import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { displayPath } from './BytePath';
import { isSymlinkMode, type FileMeta } from './FileHeader';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';
import { resolveTreePath } from './resolveTreePath';

/** `arbor cat`: a regular file of a commit, its bytes verified against the object ID. */
export function readTreeFile(repo: Repo, rev: string, path: string): { commit: ObjectId; id: ObjectId; meta: FileMeta; content: Buffer } {
  const commit = repo.resolveRev(rev);
  const entry = resolveTreePath(repo, commit, path);
  if (entry.type !== 'file') {
    throw new ArborError(ErrorCode.STORE_PATH_NOT_FOUND, `${path} is a directory in commit ${commit}`, { hint: 'List it with `arbor ls`' });
  }
  const { meta, content } = repo.readFile(entry.file);
  if (isSymlinkMode(meta.mode)) {
    throw new ArborError(ErrorCode.STORE_PATH_NOT_FOUND, `${path} is a symlink to ${displayPath(meta.target)} in commit ${commit}`, {
      hint: 'cat the target path instead',
    });
  }
  return { commit, id: entry.file, meta, content };
}
