import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { Repo } from '../store/Repo';
import { readBootState } from './BootState';
import { refOf, sameDeployment } from './Deployment';
import { findBootedDeployment } from './findBootedDeployment';
import { OriginFile } from './OriginFile';
import { readStaged } from './StagedDeployment';
import type { Sysroot } from './Sysroot';

interface PackageEntry { name: string; arch: string }

/** `arbor db diff`'s document (docs/command-contract.md); the RPM plugin computes it from commit metadata. */
export interface PackageDiff<P extends PackageEntry = PackageEntry, C extends PackageEntry = PackageEntry> {
  added: P[];
  removed: P[];
  upgraded: C[];
  downgraded: C[];
}

/** Compares the package lists of two commits of a repo: the RPM plugin's diffCommitPackages. */
export type CommitPackageDiff<P extends PackageEntry, C extends PackageEntry> = (repoPath: string, from: string, to: string) => PackageDiff<P, C>;

type Marked<T> = T & { layered?: true };

export interface DeploymentPackageDiff<P extends PackageEntry, C extends PackageEntry> extends PackageDiff<Marked<P>, Marked<C>> {
  from: DeploymentRef & { role: 'booted' | 'default' | 'rollback' };
  to: DeploymentRef & { role: 'staged' | 'default' };
}

/**
 * `arbor db diff --sysroot S` with no revisions, as `rpm-ostree db diff` does on a host: the
 * booted deployment against the pending one (the staged deployment, else the default). On a
 * sysroot nothing booted from (an image being prepared, a test), the deployment the pending one
 * would replace stands in: the default when one is staged, else the rollback. A change is
 * marked `layered` when the pending deployment's origin asked for it (a requested package or
 * an override of that name), or when it is part of what the layered commit changed over its
 * base commit, the commit's parent (docs/sysroot.md).
 */
export function diffDeploymentPackages<P extends PackageEntry, C extends PackageEntry>(
  sysroot: Sysroot,
  diffCommits: CommitPackageDiff<P, C>,
): DeploymentPackageDiff<P, C> {
  const state = readBootState(sysroot);
  const staged = readStaged(sysroot);
  const pendingStaged = staged && !state.deployments.some((deployment) => sameDeployment(deployment, staged)) ? staged : undefined;
  const booted = findBootedDeployment(sysroot, state.deployments);
  const to = pendingStaged
    ? { ...refOf(pendingStaged), role: 'staged' as const }
    : state.deployments[0] && { ...refOf(state.deployments[0]), role: 'default' as const };
  const fromDeployment = booted ?? (pendingStaged ? state.deployments[0] : state.deployments[1]);
  const from = fromDeployment && {
    ...refOf(fromDeployment),
    role: booted ? 'booted' as const : pendingStaged ? 'default' as const : 'rollback' as const,
  };
  if (!to || !from) {
    throw new ArborError(ErrorCode.NO_DEPLOYMENT, `${sysroot.path} has no two deployments to compare (booted or rollback, and pending)`, {
      hint: 'Name two commits instead: arbor db diff --sysroot S FROM TO',
    });
  }
  const diff = diffCommits(sysroot.repoPath, from.commit, to.commit);
  const layered = layeredNames(sysroot, to, diffCommits);
  const mark = <T extends PackageEntry>(entries: T[]): Marked<T>[] =>
    entries.map((entry) => (layered.has(entry.name) || layered.has(`${entry.name}.${entry.arch}`) ? { ...entry, layered: true as const } : entry));
  return {
    from,
    to,
    added: mark(diff.added),
    removed: mark(diff.removed),
    upgraded: mark(diff.upgraded),
    downgraded: mark(diff.downgraded),
  };
}

/** Names (and name.arch keys) of the packages the deployment's layering changed. */
function layeredNames<P extends PackageEntry, C extends PackageEntry>(sysroot: Sysroot, deployment: DeploymentRef, diffCommits: CommitPackageDiff<P, C>): Set<string> {
  const origin = OriginFile.read(sysroot.originPath(deployment));
  if (!origin.hasLayers) return new Set();
  const { packages, removals } = origin.layers;
  const names = new Set([...packages, ...removals]);
  const parent = Repo.open(sysroot.repoPath).readCommit(deployment.commit).parent;
  if (parent) {
    try {
      const own = diffCommits(sysroot.repoPath, parent, deployment.commit);
      for (const entry of [...own.added, ...own.removed, ...own.upgraded, ...own.downgraded]) names.add(`${entry.name}.${entry.arch}`);
    } catch {
      // A base commit without a package list (or pruned) leaves only the requests' names.
    }
  }
  return names;
}
