import type { ComposedPackage } from '../../compose/ComposeInputs';
import type { LayeredPackage, LayerResult } from '../../hooks';

/** Where `db list` says a layered package came from. */
export const LAYERED_REPO = '@layered';

/**
 * The package list a layered commit records (`arbor.compose.packages`, what `db list` and
 * `db diff` read): the base's list without the removed and replaced packages, plus what the
 * layer added and what replaced base packages. Undefined when the base records no list.
 */
export function layeredPackageList(base: unknown, result: LayerResult): ComposedPackage[] | undefined {
  if (!Array.isArray(base)) return undefined;
  const gone = new Set([...result.removed, ...result.replaced.map((entry) => entry.from)].map((pkg) => pkg.name));
  const kept = (base as ComposedPackage[]).filter((pkg) => !gone.has(pkg.name));
  const added = [...result.added, ...result.replaced.map((entry) => entry.to)].map(fromNevra);
  return [...kept, ...added].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch));
}

/** `name-[epoch:]version-release.arch`, split knowing the name (names may hold dashes). */
export function fromNevra(pkg: LayeredPackage): ComposedPackage {
  const evra = pkg.nevra.startsWith(`${pkg.name}-`) ? pkg.nevra.slice(pkg.name.length + 1) : pkg.nevra;
  const dot = evra.lastIndexOf('.');
  const evr = dot > 0 ? evra.slice(0, dot) : evra;
  const arch = dot > 0 ? evra.slice(dot + 1) : '';
  const dash = evr.lastIndexOf('-');
  const ev = dash > 0 ? evr.slice(0, dash) : evr;
  const release = dash > 0 ? evr.slice(dash + 1) : '';
  const colon = ev.indexOf(':');
  const epoch = colon > 0 ? Number(ev.slice(0, colon)) || 0 : 0;
  const version = colon > 0 ? ev.slice(colon + 1) : ev;
  return { name: pkg.name, epoch, version, release, arch, repo: LAYERED_REPO };
}
