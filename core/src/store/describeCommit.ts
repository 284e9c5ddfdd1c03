import type { CommitMetadataValue } from './Commit';
import type { ObjectId } from './ObjectId';
import type { Repo } from './Repo';

/** `arbor show`: one commit as docs/command-contract.md lists it, plus its body, root dirmeta and signatures. */
export interface CommitDescription {
  commit: ObjectId;
  parent: ObjectId | null;
  subject: string;
  body: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  /** The root dirtree. */
  root: ObjectId;
  rootMeta: ObjectId;
  metadata: CommitMetadataValue;
  /** Algorithms of the detached signatures, if any. */
  signatures: string[];
}

export function describeCommit(repo: Repo, rev: string): CommitDescription {
  const id = repo.resolveRev(rev);
  const commit = repo.readCommit(id);
  return {
    commit: id,
    parent: commit.parent,
    subject: commit.subject,
    body: commit.body,
    timestamp: formatTimestamp(commit.timestamp),
    root: commit.rootTree,
    rootMeta: commit.rootMeta,
    metadata: commit.metadata,
    signatures: (repo.readCommitSignatures(id) ?? []).map((entry) => entry.algorithm),
  };
}

/** Seconds since the epoch as ISO 8601 UTC without milliseconds: 2026-11-26T13:00:00Z. */
export function formatTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}
