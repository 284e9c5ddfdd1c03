import type { Commit } from '../../store/Commit';
import type { ObjectId } from '../../store/ObjectId';
import type { Repo } from '../../store/Repo';
import type { LayerRequests, LayerResult } from '../../hooks';

/**
 * Commit metadata keys of a layered commit (docs/layering.md): the base it was made from, the
 * requests as the origin records them, what the `layer` tap did, and the cache key that lets
 * the same base + requests + plugins reuse the commit instead of layering again.
 */
export const LayerMetadataKey = {
  BASE: 'arbor.layer.base',
  REQUESTS: 'arbor.layer.requests',
  RESULT: 'arbor.layer.result',
  KEY: 'arbor.layer.key',
} as const;

/** Refs that hold layered commits by cache key, so a prune between commit and deploy keeps them. */
export const LAYER_REF_PREFIX = 'arbor/layer/';

/** What a layered commit records about itself. */
export interface LayeredCommit {
  commit: ObjectId;
  base: ObjectId;
  requests: LayerRequests;
  result: LayerResult;
  key: string;
}

/** The layering a commit records, or undefined for a commit that is not layered (or not in the repo). */
export function readLayeredCommit(repo: Repo, commit: ObjectId): LayeredCommit | undefined {
  if (!repo.hasObject(commit, 'commit')) return undefined;
  return layeredCommitOf(commit, repo.readCommit(commit));
}

export function layeredCommitOf(id: ObjectId, commit: Commit): LayeredCommit | undefined {
  const { metadata } = commit;
  const base = metadata[LayerMetadataKey.BASE];
  if (typeof base !== 'string') return undefined;
  return {
    commit: id,
    base,
    requests: metadata[LayerMetadataKey.REQUESTS] as LayerRequests,
    result: metadata[LayerMetadataKey.RESULT] as LayerResult,
    key: String(metadata[LayerMetadataKey.KEY] ?? ''),
  };
}

/** The base a deployment's commit was layered on; a commit that is not layered is its own base. */
export function baseOf(repo: Repo, commit: ObjectId): ObjectId {
  return readLayeredCommit(repo, commit)?.base ?? commit;
}

/** Requests with no entries at all: the deployment is its base. */
export function noLayers(): LayerRequests {
  return { packages: [], localPackages: [], removals: [], replacements: [] };
}

export function hasRequests(requests: LayerRequests): boolean {
  return [requests.packages, requests.localPackages, requests.removals, requests.replacements].some((list) => list.length > 0);
}
