import { definePlugin, type HookContext, type PackageSource, type ResolvePlan } from '@arbor/core';
import { isRich } from './Dependency';
import { Resolver } from './Resolver';
import { richAtoms, parseRichDependency } from './RichDependency';
import { RpmMdSource } from './RpmMdSource';
import type { RpmPackage } from './RpmPackage';

const PLUGIN_NAME = 'arbor:rpm-md';

/**
 * rpm-md repositories as the `rpm-md` package source, and the RPM dependency resolver on
 * `resolve`. Both are pure taps; all I/O happens when compose calls the hooks.
 */
export default definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.source.for('rpm-md').tapPromise(PLUGIN_NAME, async (spec, context) => {
      // Remote repos go through the `fetch` hook's transport (plugins/http: keep-alive,
      // retries, timeouts) when one is configured; RpmMdSource falls back to Node's fetch.
      const scheme = /^(https?):\/\//.exec(spec.url)?.[1];
      const transport = scheme ? await arbor.hooks.fetch.for(scheme).promise({ url: spec.url, remote: spec.id }, context) : undefined;
      return new RpmMdSource(spec, transport);
    });
    arbor.hooks.resolve.tapPromise(PLUGIN_NAME, resolvePlan);
  },
});

async function resolvePlan(plan: ResolvePlan, context: HookContext): Promise<ResolvePlan> {
  const packages = plan.available.filter(isRpmPackage);
  const installed = plan.installed?.filter(isRpmPackage);
  const fileLists = needsFileLists(plan.requested, packages, installed ?? []) ? await loadFileLists(plan.sources, context) : undefined;
  const resolution = new Resolver(packages, {
    arch: plan.arch,
    recommends: plan.recommends,
    excluded: plan.excluded,
    fileLists,
    installed,
  }).resolve(plan.requested);
  return { ...plan, selected: resolution.selected, problems: [...plan.problems, ...resolution.problems] };
}

function isRpmPackage(pkg: unknown): pkg is RpmPackage {
  return Array.isArray((pkg as RpmPackage).requires) && Array.isArray((pkg as RpmPackage).provides);
}

/**
 * Whether some file dependency (requested or required by any offered package) is not answered
 * by the files primary.xml lists (or an installed package has); only then is filelists.xml worth downloading (dnf does the
 * same lazy load).
 */
function needsFileLists(requested: readonly string[], packages: readonly RpmPackage[], installed: readonly RpmPackage[]): boolean {
  const known = new Set<string>();
  // An installed package's record lists every file it has (its rpmdb header does).
  for (const pkg of [...packages, ...installed]) {
    for (const file of pkg.files) known.add(file);
    for (const provide of pkg.provides) if (provide.name.startsWith('/')) known.add(provide.name);
  }
  const unanswered = (name: string) => name.startsWith('/') && !known.has(name);
  if (requested.some(unanswered)) return true;
  return packages.some((pkg) => pkg.requires.some((dep) =>
    (isRich(dep) ? richAtoms(parseRichDependency(dep.name)) : [dep]).some((atom) => unanswered(atom.name))));
}

async function loadFileLists(sources: readonly PackageSource[], context: HookContext): Promise<Map<RpmPackage, string[]>> {
  const merged = new Map<RpmPackage, string[]>();
  for (const source of sources) {
    if (!source.fileLists) continue;
    for (const [pkg, files] of await source.fileLists(context)) merged.set(pkg as RpmPackage, files);
  }
  return merged;
}

export { Resolver, type Resolution, type ResolverOptions } from './Resolver';
export { RpmMdSource } from './RpmMdSource';
export { rpmvercmp, compareEvr, parseEvr, formatEvr, type Evr } from '@arbor/plugin-rpm';
export { parseRichDependency, type RichNode } from './RichDependency';
export { readPrimaryXml } from './PrimaryXmlReader';
export { nevra, type RpmPackage } from './RpmPackage';
export type { Dependency } from './Dependency';
