import type { LayerRequests } from '../../hooks';
import type { Repo } from '../../store/Repo';
import type { OriginFile } from '../OriginFile';
import { readLayeredCommit } from './LayerMetadata';

/** What `arbor status` shows of a deployment's layering (docs/command-contract.md, layering). */
export interface LayerStatus {
  /** The commit the packages were layered on; null for a deployment that is its base. */
  base: string | null;
  /** Requested packages: names from the repos, then local files (as the origin records them). */
  layered: string[];
  /** Requested names the base already provides, applied to nothing (rpm-ostree's "Inactive requests"). */
  inactive: string[];
  /** Base packages taken out (name-[epoch:]version-release.arch; the requested names when unknown). */
  removed: string[];
  /** Base packages replaced, and what replaced them. */
  replaced: { from: string; to: string }[];
  /** The origin's requests as recorded. */
  requests: LayerRequests;
}

/**
 * Reads a deployment's layering: the requests from its origin, what was done from its layered
 * commit's metadata. `repo` is opened only for a deployment with requests.
 */
export function describeLayers(origin: OriginFile, commit: string, repo: () => Repo): LayerStatus {
  const requests = origin.layers;
  const none = { base: null, layered: [], inactive: [], removed: [], replaced: [], requests };
  if (!origin.hasLayers) return none;
  const layered = readLayeredCommit(repo(), commit);
  const result = layered?.result;
  return {
    base: layered?.base ?? null,
    layered: [...requests.packages, ...requests.localPackages],
    inactive: result?.inactive ?? [],
    removed: result ? result.removed.map((pkg) => pkg.nevra) : requests.removals,
    replaced: result ? result.replaced.map((entry) => ({ from: entry.from.nevra, to: entry.to.nevra })) : [],
    requests,
  };
}

/** The status lines of a layered deployment, labelled as rpm-ostree labels them. */
export function layerStatusFields(status: LayerStatus): Array<[string, string]> {
  if (status.base === null && status.layered.length === 0 && status.removed.length === 0) return [];
  const inactive = new Set(status.inactive);
  const active = status.requests.packages.filter((name) => !inactive.has(name));
  const fields: Array<[string, string]> = [];
  if (status.base) fields.push(['BaseCommit', status.base]);
  if (status.replaced.length) fields.push(['ReplacedBasePackages', status.replaced.map((entry) => `${entry.from} -> ${entry.to}`).join(', ')]);
  if (status.removed.length) fields.push(['RemovedBasePackages', status.removed.join(' ')]);
  if (active.length) fields.push(['LayeredPackages', active.join(' ')]);
  if (status.requests.localPackages.length) fields.push(['LocalPackages', status.requests.localPackages.join(' ')]);
  if (status.inactive.length) fields.push(['Inactive requests', status.inactive.join(' ')]);
  return fields;
}
