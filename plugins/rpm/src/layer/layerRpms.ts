import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArborError, type ArborHooks, type HookContext, type LayerRequest, type LayerResult, type LayeredPackage, type PackageRecord, type ResolvePlan } from '@arbor/core';
import { installPackage } from '../installPackage';
import { isGhost, readFileList } from '../RpmFileList';
import { installedPath, RpmInstallState } from '../RpmInstallState';
import { formatNevra } from '../RpmNevra';
import { openRpm } from '../readRpmHeaders';
import { RpmErrorCode, rpmError } from '../RpmError';
import { runScriptlets, type PackageScriptlets } from '../ScriptletRunner';
import type { Scriptlet } from '../RpmScriptlet';
import type { RpmScripts } from '../RpmScripts';
import { erasePackage } from './erasePackage';
import { readInstalledRpms, type InstalledRpm } from './InstalledRpms';
import { LayerErrorCode } from './LayerError';
import { baseArch, openLayerRepos, releaseVersion, type OpenedRepos } from './LayerRepos';
import { mergeLayer } from './mergeLayer';
import { OverlaySandbox } from './OverlaySandbox';
import { recordLayeredRpmDb } from './recordLayeredRpmDb';
import { resolverRecord, type ResolverRecord } from './ResolverRecord';

/** The repo name of package files given on the command line (dnf's `@commandline`). */
const LOCAL_REPO = '@commandline';

/** rpm's install-time scriptlet tags and the spec-file names the runner orders them by. */
const INSTALL_SCRIPTLETS = [['pretrans', 'pretrans'], ['prein', 'pre'], ['postin', 'post'], ['posttrans', 'posttrans']] as const;

export interface LayerRpmsOptions {
  plugin: string;
  /** Install the newcomers' weak dependencies (Recommends); off by default, keeping layers small. */
  recommends: boolean;
}

/**
 * Applies layering requests to a hardlink checkout of a base commit, rpm-ostree's way:
 * resolve against the base's rpmdb plus the deployment's repos, take out removed and replaced
 * packages' files, unpack the newcomers (every file renamed into place, never written over),
 * record it all in the rpmdb (a new file renamed over the old), then run the newcomers'
 * install scriptlets over an overlay of the tree and move what they changed in.
 */
export async function layerRpms(hooks: Pick<ArborHooks, 'source' | 'resolve'>, request: LayerRequest, context: HookContext, options: LayerRpmsOptions): Promise<LayerResult> {
  const result: LayerResult = { layeredBy: options.plugin, added: [], removed: [], replaced: [], inactive: [] };
  const { tree } = request;
  const installed = readInstalledRpms(tree);
  const byName = new Map(installed.map((pkg) => [pkg.name, pkg]));
  const arch = treeArch(installed);
  const etcInUsr = isDirectory(path.join(tree, 'usr/etc')) && !fs.existsSync(path.join(tree, 'etc'));

  for (const name of request.removals) {
    if (!byName.has(name)) throw notInstalled(`Cannot remove ${name}: the base has no package of that name`);
  }
  const local = await Promise.all(request.localPackages.map((file) => readLocalRecord(file)));
  const replacements = await Promise.all(request.replacements.map((file) => readLocalRecord(file)));
  for (const replacement of replacements) {
    if (!byName.has(replacement.name)) throw notInstalled(`Cannot replace ${replacement.name} with ${path.basename(replacement.location)}: the base has no package of that name`, 'Install it with `arbor install` instead');
  }
  const requested: string[] = [];
  for (const spec of request.packages) {
    if (providedBy(installed, spec, arch)) result.inactive.push(spec);
    else requested.push(spec);
  }
  for (const record of local) {
    const present = byName.get(record.name);
    if (present?.nevra === nevraOf(record)) result.inactive.push(record.location);
    else if (present) {
      throw new ArborError(LayerErrorCode.UNRESOLVABLE, `Cannot install ${path.basename(record.location)}: the base has ${present.nevra}`, {
        hint: 'Replace a base package with `arbor override replace`',
      });
    } else requested.push(nevraOf(record));
  }
  requested.push(...replacements.map(nevraOf));
  const activeLocal = local.filter((record) => requested.includes(nevraOf(record)));
  if (requested.length === 0 && request.removals.length === 0) return result;

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-layer-cache-'));
  let repos: OpenedRepos | undefined;
  try {
    // Newcomers may need dependencies from the repos; removals alone never do.
    if (requested.length) {
      const variables = { basearch: baseArch(arch), arch, releasever: releaseVersion(tree) ?? '' };
      repos = await openLayerRepos(hooks, request.configRoot, variables, cacheDir, context);
    }
    const selected = await resolve(hooks, {
      requested,
      excluded: request.removals,
      recommends: options.recommends,
      arch,
      available: [...(repos?.packages ?? []), ...activeLocal, ...replacements],
      sources: repos?.sources ?? [],
      installed: installed.map((pkg) => pkg.record),
      selected: [],
      problems: [],
    }, context, repos?.searched ?? []);

    const files = new Map<PackageRecord, string>();
    for (const pkg of selected) files.set(pkg, pkg.repo === LOCAL_REPO ? pkg.location : await download(repos!, pkg, context));

    const replacedNames = new Set(replacements.map((record) => record.name));
    const leaving = installed.filter((pkg) => request.removals.includes(pkg.name) || replacedNames.has(pkg.name));
    const staying = installed.filter((pkg) => !leaving.includes(pkg));
    const stayingPaths = new Set(staying.flatMap((pkg) => pkg.fileList.files.map((file) => file.path)));
    for (const pkg of leaving) erasePackage(tree, pkg, (file) => stayingPaths.has(file), etcInUsr);

    const state = installState(staying);
    const scriptlets: PackageScriptlets[] = [];
    const addedFiles: string[] = [];
    for (const pkg of selected) {
      const file = files.get(pkg)!;
      const done = await installPackage(file, { tree, state, logger: context.logger, accountsDir: etcInUsr ? 'usr/etc' : 'etc' });
      addedFiles.push(file);
      scriptlets.push({ package: done.nevra, scriptlets: installScriptlets(done.scripts), instances: replacedNames.has(done.name) ? 2 : 1 });
      const entry: LayeredPackage = { name: done.name, nevra: done.nevra };
      const replaced = replacedNames.has(done.name) ? byName.get(done.name) : undefined;
      if (replaced) result.replaced.push({ from: { name: replaced.name, nevra: replaced.nevra }, to: entry });
      else result.added.push(entry);
    }
    // Packages put /etc files at etc/; a tree in commit layout keeps them in usr/etc.
    if (etcInUsr && fs.existsSync(path.join(tree, 'etc'))) {
      mergeLayer(path.join(tree, 'etc'), path.join(tree, 'usr/etc'));
      fs.rmSync(path.join(tree, 'etc'), { recursive: true, force: true });
    }
    result.removed = leaving.filter((pkg) => !replacedNames.has(pkg.name)).map((pkg) => ({ name: pkg.name, nevra: pkg.nevra }));
    await recordLayeredRpmDb(tree, { remove: leaving.map((pkg) => pkg.hnum), add: addedFiles, arch });
    await runLayerScriptlets(tree, scriptlets, context);
    return result;
  } finally {
    await repos?.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function resolve(hooks: Pick<ArborHooks, 'resolve'>, plan: ResolvePlan, context: HookContext, searched: string[]): Promise<PackageRecord[]> {
  if (!hooks.resolve.isUsed()) {
    throw new ArborError(LayerErrorCode.UNRESOLVABLE, 'No plugin resolves RPM dependencies', { hint: 'Add the rpm-md plugin (@arbor/plugin-rpm-md; preset fedora has it) to the config' });
  }
  const resolved = await hooks.resolve.promise(plan, context);
  const problem = resolved.problems[0];
  if (!problem) return resolved.selected;
  const where = searched.length ? `searched ${searched.join(', ')}` : 'no repos are enabled in yum.repos.d';
  if (/^no package matches/.test(problem)) throw new ArborError(LayerErrorCode.PACKAGE_NOT_FOUND, `Cannot layer: ${problem} (${where})`);
  if (/ requires .*, which only .* provided$/.test(problem)) {
    throw new ArborError(LayerErrorCode.REMOVAL_REQUIRED, `Cannot remove or replace base packages: ${resolved.problems.join('; ')}`, {
      hint: 'Remove the package that requires it too, or keep it',
    });
  }
  throw new ArborError(LayerErrorCode.UNRESOLVABLE, `Cannot layer ${plan.requested.join(', ') || 'the request'} onto the base: ${problem}`);
}

async function download(repos: OpenedRepos, pkg: PackageRecord, context: HookContext): Promise<string> {
  const source = repos.sources.find((candidate) => candidate.id === pkg.repo);
  if (!source) throw new ArborError(LayerErrorCode.REPO_UNAVAILABLE, `No open repo ${pkg.repo} offers ${nevraOf(pkg)}`);
  return source.download(pkg, context);
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

/** The install state the newcomers are checked against: every path a package that stays lists. */
function installState(staying: readonly InstalledRpm[]): RpmInstallState {
  const state = new RpmInstallState();
  for (const pkg of staying) {
    for (const file of pkg.fileList.files) {
      const ghost = isGhost(file);
      if (ghost && state.paths.has(file.path)) continue;
      state.paths.set(file.path, installedPath(file, pkg.nevra, pkg.fileList.digestAlgorithm, ghost));
    }
    state.packages.push(pkg.nevra);
  }
  return state;
}

function installScriptlets(scripts: RpmScripts): Scriptlet[] {
  const list: Scriptlet[] = [];
  for (const [tag, name] of INSTALL_SCRIPTLETS) {
    const script = scripts[tag];
    if (script) list.push({ name, interpreter: script.interpreter, body: script.body });
  }
  return list;
}

async function runLayerScriptlets(tree: string, packages: PackageScriptlets[], context: HookContext): Promise<void> {
  if (!packages.some((pkg) => pkg.scriptlets.length)) return;
  const sandbox = OverlaySandbox.create(tree);
  try {
    await runScriptlets(tree, packages, {
      enabled: true,
      context,
      run: (run) => sandbox.run(run),
      failure: { code: LayerErrorCode.SCRIPTLET_FAILED, hint: 'The layered commit was not made; the deployment is unchanged' },
    });
    sandbox.apply();
  } finally {
    sandbox.remove();
  }
}

/**
 * Whether the base already answers a requested spec (so the request is inactive): a package
 * of that name, NEVRA or name.arch, a provide of that name, or a file it lists.
 */
function providedBy(installed: readonly InstalledRpm[], spec: string, arch: string): boolean {
  return installed.some((pkg) =>
    pkg.name === spec || pkg.nevra === spec || `${pkg.name}.${pkg.record.arch}` === spec || `${pkg.name}.${arch}` === spec ||
    pkg.record.provides.some((provide) => provide.name === spec) ||
    (spec.startsWith('/') && pkg.record.files.includes(spec)));
}

/** The tree's architecture: its packages' first arch other than noarch, else this machine's. */
function treeArch(installed: readonly InstalledRpm[]): string {
  const named = installed.map((pkg) => pkg.record.arch).find((arch) => arch && arch !== 'noarch');
  if (named) return named;
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le' };
  return names[process.arch] ?? process.arch;
}

function nevraOf(pkg: Pick<PackageRecord, 'name' | 'epoch' | 'version' | 'release' | 'arch'>): string {
  return formatNevra({ name: pkg.name, epoch: pkg.epoch || null, version: pkg.version, release: pkg.release, arch: pkg.arch });
}

function notInstalled(message: string, hint?: string): ArborError {
  return new ArborError(LayerErrorCode.NOT_INSTALLED, message, { hint });
}

function isDirectory(dir: string): boolean {
  return fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
