import { parseDependency } from './Dependency';
import type { ProviderIndex } from './ProviderIndex';
import { nevra, type RpmPackage } from './RpmPackage';

/**
 * The packages a treefile `packages` entry means, tried in dnf's order for install specs: a
 * package name; then a NEVRA form (`name-version`, `name-version-release`, with or without
 * `.arch` or an epoch, or `name.arch`); then a provide (`webserver`, `pkgconfig(x) >= 1`) or a
 * file path. An empty result means nothing matches.
 */
export function matchPackageSpec(spec: string, packages: readonly RpmPackage[], index: ProviderIndex): RpmPackage[] {
  const byName = packages.filter((pkg) => pkg.name === spec);
  if (byName.length) return byName;

  const byNevra = packages.filter((pkg) => nevraForms(pkg).has(spec));
  if (byNevra.length) return byNevra;

  return index.whatProvides(parseDependency(spec));
}

function nevraForms(pkg: RpmPackage): Set<string> {
  const epochs = pkg.epoch ? [`${pkg.epoch}:`] : ['', '0:'];
  const forms = new Set<string>([`${pkg.name}.${pkg.arch}`, nevra(pkg)]);
  for (const epoch of epochs) {
    forms.add(`${pkg.name}-${epoch}${pkg.version}`);
    forms.add(`${pkg.name}-${epoch}${pkg.version}-${pkg.release}`);
    forms.add(`${pkg.name}-${epoch}${pkg.version}-${pkg.release}.${pkg.arch}`);
  }
  return forms;
}
