import path from 'node:path';
import { ArborError, type LayerRequests, type PackageRecord } from '@arbor/core';
import { RpmErrorCode, rpmError } from '../RpmError';
import { readFileList } from '../RpmFileList';
import { formatNevra } from '../RpmNevra';
import { openRpm } from '../readRpmHeaders';
import type { InstalledRpm } from './InstalledRpms';
import { LayerErrorCode } from './LayerError';
import { resolverRecord, type ResolverRecord } from './ResolverRecord';

/** The repo name of package files given on the command line (dnf's `@commandline`). */
export const LOCAL_REPO = '@commandline';

/** What the requests ask of the resolver, once checked against the base. */
export interface ClassifiedRequests {
  /** Specs and NEVRAs to resolve: active names, local packages, replacements. */
  requested: string[];
  /** Requests the base already answers (names, or local files, installs or replacements, the base has exactly). */
  inactive: string[];
  /** Package files that join the transaction, as resolver records (`location` is the file). */
  localRecords: ResolverRecord[];
  /** Names of base packages a replacement takes the place of. */
  replacedNames: Set<string>;
}

/**
 * Checks the requests against the base before anything is resolved: removals and replacements
 * must name base packages; a requested name the base answers is inactive (rpm-ostree keeps
 * such a request and applies it to nothing); a local file whose exact NEVRA the base has is
 * inactive, and one whose name it has in another version belongs to `override replace`.
 */
export async function classifyRequests(request: LayerRequests, installed: readonly InstalledRpm[], arch: string): Promise<ClassifiedRequests> {
  const byName = new Map(installed.map((pkg) => [pkg.name, pkg]));
  for (const name of request.removals) {
    if (!byName.has(name)) throw new ArborError(LayerErrorCode.NOT_INSTALLED, `Cannot remove ${name}: the base has no package of that name`);
  }
  const replacements: ResolverRecord[] = [];
  const inactive: string[] = [];
  for (const replacement of await Promise.all(request.replacements.map(readLocalRecord))) {
    const present = byName.get(replacement.name);
    // On a base that already ships the replacement (after an upgrade), there is nothing to do.
    if (present?.nevra === nevraOf(replacement)) inactive.push(replacement.location);
    else if (present) replacements.push(replacement);
    if (present) continue;
    throw new ArborError(LayerErrorCode.NOT_INSTALLED, `Cannot replace ${replacement.name} with ${path.basename(replacement.location)}: the base has no package of that name`, {
      hint: 'Install it with `arbor install` instead',
    });
  }
  const classified: ClassifiedRequests = { requested: [], inactive, localRecords: [], replacedNames: new Set(replacements.map((record) => record.name)) };
  for (const spec of request.packages) {
    if (providedBy(installed, spec, arch)) classified.inactive.push(spec);
    else classified.requested.push(spec);
  }
  for (const record of await Promise.all(request.localPackages.map(readLocalRecord))) {
    const present = byName.get(record.name);
    if (present?.nevra === nevraOf(record)) {
      classified.inactive.push(record.location);
    } else if (present) {
      throw new ArborError(LayerErrorCode.UNRESOLVABLE, `Cannot install ${path.basename(record.location)}: the base has ${present.nevra}`, {
        hint: 'Replace a base package with `arbor override replace`',
      });
    } else {
      classified.requested.push(nevraOf(record));
      classified.localRecords.push(record);
    }
  }
  classified.requested.push(...replacements.map(nevraOf));
  classified.localRecords.push(...replacements);
  return classified;
}

/** A package file given by path, as the resolver reads records; `location` is the file. */
async function readLocalRecord(file: string): Promise<ResolverRecord> {
  const rpm = await openRpm(file);
  try {
    const fail = (message: string) => rpmError(RpmErrorCode.HEADER_INVALID, file, message);
    const files = readFileList(rpm.header, fail).files.map((entry) => entry.path);
    return resolverRecord(rpm.header, { repo: LOCAL_REPO, location: file }, files);
  } finally {
    rpm.close();
  }
}

/**
 * Whether the base already answers a requested spec: a package of that name, NEVRA or
 * name.arch, a provide of that name, or a file it lists.
 */
function providedBy(installed: readonly InstalledRpm[], spec: string, arch: string): boolean {
  return installed.some((pkg) =>
    pkg.name === spec || pkg.nevra === spec || `${pkg.name}.${pkg.record.arch}` === spec || `${pkg.name}.${arch}` === spec ||
    pkg.record.provides.some((provide) => provide.name === spec) ||
    (spec.startsWith('/') && pkg.record.files.includes(spec)));
}

export function nevraOf(pkg: Pick<PackageRecord, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return formatNevra({ name: pkg.name, epoch: pkg.epoch || null, version: pkg.version, release: pkg.release, arch: pkg.arch });
}
