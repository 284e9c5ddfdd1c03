import { isRich, type Dependency } from './Dependency';
import type { ProviderIndex } from './ProviderIndex';
import { parseRichDependency, richAtoms } from './RichDependency';
import type { RpmPackage } from './RpmPackage';

/**
 * The order to install a resolved set in: what a package requires comes before it, as rpm's
 * transaction ordering does, so %pre/%post scriptlets find their interpreters and the users
 * they reference. Requires(pre) edges are followed first; a dependency cycle is broken where
 * the walk meets it. Packages are visited by name, so the same set always gives the same order.
 */
export function orderForInstall(packages: readonly RpmPackage[], index: ProviderIndex): RpmPackage[] {
  const chosen = new Set(packages);
  const byName = [...packages].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const order: RpmPackage[] = [];
  const state = new Map<RpmPackage, 'visiting' | 'done'>();

  const providers = (dep: Dependency): RpmPackage[] => {
    const atoms = isRich(dep) ? richAtoms(parseRichDependency(dep.name)) : [dep];
    return atoms.flatMap((atom) => index.whatProvides(atom).filter((pkg) => chosen.has(pkg)));
  };

  const visit = (pkg: RpmPackage): void => {
    if (state.has(pkg)) return;
    state.set(pkg, 'visiting');
    const requires = [...pkg.requires.filter((dep) => dep.pre), ...pkg.requires.filter((dep) => !dep.pre)];
    for (const dep of requires) {
      for (const provider of providers(dep)) if (provider !== pkg) visit(provider);
    }
    state.set(pkg, 'done');
    order.push(pkg);
  };

  for (const pkg of byName) visit(pkg);
  return order;
}
