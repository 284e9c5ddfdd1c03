import { rangesOverlap, type Dependency } from './Dependency';
import type { RpmPackage } from './RpmPackage';

/**
 * Answers "which packages provide this?" for simple dependencies. Every package provides its
 * own `name = epoch:version-release` (libsolv adds that self-provide when metadata lacks it),
 * its Provides, and each file it holds as a provide of that path (rpm file dependencies).
 */
export class ProviderIndex {
  private readonly byName = new Map<string, { pkg: RpmPackage; provide: Dependency }[]>();
  private readonly byFile = new Map<string, RpmPackage[]>();

  constructor(packages: readonly RpmPackage[], fileLists?: Map<RpmPackage, string[]>) {
    for (const pkg of packages) {
      const self: Dependency = { name: pkg.name, flags: 'EQ', evr: { epoch: pkg.epoch, version: pkg.version, release: pkg.release } };
      const hasSelf = pkg.provides.some((provide) => provide.name === pkg.name && provide.flags === 'EQ');
      for (const provide of hasSelf ? pkg.provides : [self, ...pkg.provides]) this.addProvide(pkg, provide);
      const files = new Set(pkg.files);
      for (const file of fileLists?.get(pkg) ?? []) files.add(file);
      for (const file of files) {
        const owners = this.byFile.get(file);
        if (owners) {
          if (!owners.includes(pkg)) owners.push(pkg);
        } else {
          this.byFile.set(file, [pkg]);
        }
      }
    }
  }

  private addProvide(pkg: RpmPackage, provide: Dependency): void {
    const list = this.byName.get(provide.name);
    if (list) list.push({ pkg, provide });
    else this.byName.set(provide.name, [{ pkg, provide }]);
  }

  /** Packages with a provide matching `dep` (name and version range), or owning the file `dep` names. */
  whatProvides(dep: Dependency): RpmPackage[] {
    const result: RpmPackage[] = [];
    for (const { pkg, provide } of this.byName.get(dep.name) ?? []) {
      if (rangesOverlap(provide, dep) && !result.includes(pkg)) result.push(pkg);
    }
    if (dep.name.startsWith('/') && !dep.flags) {
      for (const pkg of this.byFile.get(dep.name) ?? []) if (!result.includes(pkg)) result.push(pkg);
    }
    return result;
  }
}
