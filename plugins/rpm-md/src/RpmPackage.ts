import type { PackageRecord } from '@arbor/core';
import type { Dependency } from './Dependency';

/**
 * A package as primary.xml describes it (the rpm-md "common" metadata format): identity, the
 * file's checksum and location, the dependency lists, and the files primary.xml carries
 * (createrepo_c keeps only /etc/*, *bin/* and /usr/lib/sendmail there; the rest is in
 * filelists.xml).
 */
export interface RpmPackage extends PackageRecord {
  checksum: { type: string; value: string };
  /** `xml:base` of `<location>`, when the package lives under another base URL. */
  locationBase?: string;
  size: number;
  sourceRpm?: string;
  provides: Dependency[];
  requires: Dependency[];
  conflicts: Dependency[];
  obsoletes: Dependency[];
  recommends: Dependency[];
  suggests: Dependency[];
  supplements: Dependency[];
  enhances: Dependency[];
  /** Files listed in primary.xml; filelists.xml may add more. */
  files: string[];
}

/** The dependency lists of `<format>` and the element names rpm-md gives them. */
export const DEPENDENCY_KINDS = [
  'provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances',
] as const;

export type DependencyKind = (typeof DEPENDENCY_KINDS)[number];

/** `name-[epoch:]version-release.arch`, the NEVRA as dnf and libsolv print it (epoch 0 omitted). */
export function nevra(pkg: Pick<PackageRecord, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return `${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`;
}
