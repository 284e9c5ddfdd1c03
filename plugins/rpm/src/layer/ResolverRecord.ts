import type { PackageRecord } from '@arbor/core';
import { DependencyKinds, readDependencies, type DependencyKind, type RpmDependency } from '../RpmDependency';
import type { RpmHeader } from '../RpmHeader';
import { readNevra } from '../RpmNevra';
import { parseEvr, type Evr } from '../rpmvercmp';

/** A dependency in the shape rpm-md sources give the resolver (`<rpm:entry flags="GE" .../>`). */
export interface ResolverDependency {
  name: string;
  flags?: 'EQ' | 'LT' | 'LE' | 'GT' | 'GE';
  evr?: Evr;
  pre?: boolean;
}

/**
 * A package as the `resolve` hook's taps read records: the fields an rpm-md source's records
 * carry (plugins/rpm-md RpmPackage: provides, requires, conflicts, obsoletes, the weak
 * dependencies and the file list), built here from a header, so an installed package or a
 * local package file is resolved exactly like one a repo offers.
 */
export interface ResolverRecord extends PackageRecord, Record<DependencyKind, ResolverDependency[]> {
  checksum: { type: string; value: string };
  size: number;
  files: string[];
}

const FLAGS: Record<string, ResolverDependency['flags']> = { '<': 'LT', '<=': 'LE', '=': 'EQ', '>=': 'GE', '>': 'GT' };

export function resolverRecord(header: RpmHeader, where: { repo: string; location: string }, files: string[]): ResolverRecord {
  const nevra = readNevra(header);
  const record = {
    name: nevra.name,
    epoch: nevra.epoch ?? 0,
    version: nevra.version,
    release: nevra.release,
    arch: nevra.arch,
    repo: where.repo,
    location: where.location,
    checksum: { type: '', value: '' },
    size: 0,
    files,
  } as ResolverRecord;
  for (const kind of Object.keys(DependencyKinds) as DependencyKind[]) {
    // rpmlib() requirements are answered by rpm itself, never by a package; rpm-md drops them too.
    record[kind] = readDependencies(header, kind).filter((dep) => !dep.qualifiers?.includes('rpmlib')).map(resolverDependency);
  }
  return record;
}

function resolverDependency(dep: RpmDependency): ResolverDependency {
  const result: ResolverDependency = { name: dep.name };
  if (dep.operator && dep.version) {
    result.flags = FLAGS[dep.operator];
    result.evr = parseEvr(dep.version);
  }
  if (dep.qualifiers?.some((word) => word === 'pre' || word === 'prereq' || word === 'pretrans')) result.pre = true;
  return result;
}
