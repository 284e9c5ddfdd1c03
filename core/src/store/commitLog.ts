import type { CommitMetadataValue } from './Commit';
import { isArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { formatTimestamp } from './describeCommit';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';

export interface LogEntry {
  commit: ObjectId;
  parent: ObjectId | null;
  subject: string;
  body: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  metadata: CommitMetadataValue;
}

/** The history from `rev` back, newest first; stops where `prune --depth` cut it. */
export function commitLog(repo: Repo, rev: string, limit = Infinity): LogEntry[] {
  const entries: LogEntry[] = [];
  const seen = new Set<ObjectId>();
  for (let id: ObjectId | null = repo.resolveRev(rev); id && entries.length < limit && !seen.has(id);) {
    seen.add(id);
    let commit;
    try {
      commit = repo.readCommit(id);
    } catch (error) {
      if (entries.length > 0 && isArborError(error) && error.code === ErrorCode.STORE_OBJECT_MISSING) break;
      throw error;
    }
    entries.push({
      commit: id,
      parent: commit.parent,
      subject: commit.subject,
      body: commit.body,
      timestamp: formatTimestamp(commit.timestamp),
      metadata: commit.metadata,
    });
    id = commit.parent;
  }
  return entries;
}
