import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { fsck } from './fsck';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';

/**
 * `deploy --verify`: re-hashes every object the commit's tree uses (fsck on that one commit,
 * without its history) before anything is checked out, and refuses a commit with a corrupt,
 * missing or unusable object, naming the first and how many there are.
 */
export async function verifyCommit(arbor: Arbor, repo: Repo, commit: ObjectId, signal?: AbortSignal): Promise<{ checked: number }> {
  const result = await fsck(arbor, repo, { commits: [commit], ...(signal ? { signal } : {}) });
  const first = result.problems[0];
  if (first) {
    throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Commit ${commit} has ${result.problems.length} damaged object(s): ${first.status} ${first.kind} ${first.id} at ${first.path}`, {
      hint: '`arbor fsck --delete` removes corrupt objects; pull the commit again to fetch them, then deploy',
    });
  }
  return { checked: result.checked };
}
