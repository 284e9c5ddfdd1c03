import { ArborError, ComposeMetadataKey, ErrorCode, type ComposedPackage } from '@arbor/core';
import { Repo } from '@arbor/core/store';
import { compareEvr } from './rpmvercmp';

/** A package as `arbor db list` prints it (docs/command-contract.md). */
export interface DbPackage {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  /** The repo it was composed from. */
  repo?: string;
}

export interface DbChange {
  name: string;
  arch: string;
  from: string;
  to: string;
}

/** `arbor db diff` (docs/command-contract.md): added and removed packages, and version changes either way. */
export interface DbDiff {
  added: DbPackage[];
  removed: DbPackage[];
  upgraded: DbChange[];
  downgraded: DbChange[];
}

/** The package list compose recorded in a commit's metadata, sorted by name then arch. */
export function listCommitPackages(repoPath: string, rev: string): DbPackage[] {
  const repo = Repo.open(repoPath);
  const id = repo.resolveRev(rev);
  const recorded = repo.readCommit(id).metadata[ComposeMetadataKey.PACKAGES];
  if (!Array.isArray(recorded)) {
    throw new ArborError(ErrorCode.COMPOSE_NO_PACKAGE_LIST, `Commit ${id.slice(0, 12)} (${rev}) has no package list`, {
      hint: 'Only commits made by `arbor compose tree` record their packages',
    });
  }
  return (recorded as ComposedPackage[])
    .map(({ name, epoch, version, release, arch, repo: source }) => ({ name, epoch, version, release, arch, repo: source }))
    .sort((a, b) => compareText(a.name, b.name) || compareText(a.arch, b.arch));
}

/** Compares the package lists of two commits by name and arch; newer means rpm's EVR order. */
export function diffCommitPackages(repoPath: string, from: string, to: string): DbDiff {
  const before = keyed(listCommitPackages(repoPath, from));
  const after = keyed(listCommitPackages(repoPath, to));
  const diff: DbDiff = { added: [], removed: [], upgraded: [], downgraded: [] };
  for (const [key, pkg] of after) {
    const old = before.get(key);
    if (!old) {
      diff.added.push(pkg);
      continue;
    }
    const order = compareEvr(old, pkg);
    const change = { name: pkg.name, arch: pkg.arch, from: evr(old), to: evr(pkg) };
    if (order < 0) diff.upgraded.push(change);
    else if (order > 0) diff.downgraded.push(change);
  }
  for (const [key, pkg] of before) if (!after.has(key)) diff.removed.push(pkg);
  return diff;
}

function keyed(packages: DbPackage[]): Map<string, DbPackage> {
  return new Map(packages.map((pkg) => [`${pkg.name}.${pkg.arch}`, pkg]));
}

function evr(pkg: DbPackage): string {
  return `${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
