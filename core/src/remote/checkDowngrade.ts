import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { ObjectId } from '../store/ObjectId';
import type { Repo } from '../store/Repo';
import type { FetchedCommit } from './RemoteRepo';

/** How far back through local history to look for the offered commit before giving up. */
const ANCESTRY_LIMIT = 10_000;

/**
 * Refuses to move a ref back in time: a server (or someone replaying its old, validly signed
 * summary) offering a commit older than the one the ref has, or one of that commit's own
 * ancestors. Signatures alone cannot catch this, since the old commit was really signed.
 */
export function checkDowngrade(repo: Repo, previous: ObjectId, offered: FetchedCommit, options: { remote: string; ref: string; allow?: boolean }): void {
  if (options.allow || !repo.hasObject(previous, 'commit')) return;
  const current = repo.readCommit(previous);
  let older = offered.commit.timestamp < current.timestamp;
  if (!older) {
    // An ancestor of what we have, even with a forged-looking newer timestamp, is still going back.
    let cursor = current.parent;
    for (let steps = 0; cursor && steps < ANCESTRY_LIMIT && repo.hasObject(cursor, 'commit'); steps++) {
      if (cursor === offered.id) {
        older = true;
        break;
      }
      cursor = repo.readCommit(cursor).parent;
    }
  }
  if (older) {
    throw new ArborError(ErrorCode.PULL_DOWNGRADE, `Remote ${options.remote} offers commit ${offered.id.slice(0, 12)} (${iso(offered.commit.timestamp)}) for ${options.ref}, ` +
      `older than ${previous.slice(0, 12)} (${iso(current.timestamp)}) which it has now`, {
      hint: 'If going back is intended, pull again with --allow-downgrade',
    });
  }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
