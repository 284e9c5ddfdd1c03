import { diffCommits, type TreeDiff } from '../store/diffCommits';
import type { Repo } from '../store/Repo';

export interface CommitSummary {
  commit: string;
  subject: string;
  version: string | null;
  /** ISO 8601, UTC. */
  timestamp: string;
}

export interface CommitPreview {
  /** The commits an upgrade brings, newest first, back to (not including) the deployed one. */
  commits: CommitSummary[];
  /** False when the deployed commit is not an ancestor: the ref was reset or rebased. */
  fastForward: boolean;
  /** The paths that differ between the deployed commit and the new one. */
  files: TreeDiff;
}

const MAX_COMMITS = 100;

/**
 * What `upgrade --preview` shows: the commits between the deployed one and the latest
 * (following parents; history may be shallow after a pull, so a missing parent ends the walk)
 * and the files that change.
 */
export function previewCommits(repo: Repo, from: string, to: string): CommitPreview {
  const commits: CommitSummary[] = [];
  let id: string | null = to;
  while (id && id !== from && commits.length < MAX_COMMITS && repo.hasObject(id, 'commit')) {
    const commit = repo.readCommit(id);
    commits.push({
      commit: id,
      subject: commit.subject,
      version: typeof commit.metadata.version === 'string' ? commit.metadata.version : null,
      timestamp: new Date(commit.timestamp * 1000).toISOString(),
    });
    id = commit.parent;
  }
  return { commits, fastForward: id === from, files: diffCommits(repo, from, to) };
}
