import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArborError, type ArborHooks, type HookContext, type LayerRequest, type LayerResult, type PackageRecord, type ResolvePlan } from '@arbor/core';
import { installPackage } from '../installPackage';
import { installScriptlets } from '../ComposeScriptlets';
import { isGhost } from '../RpmFileList';
import { installedPath, RpmInstallState } from '../RpmInstallState';
import { runScriptlets, type PackageScriptlets } from '../ScriptletRunner';
import { classifyRequests, LOCAL_REPO, nevraOf } from './classifyRequests';
import { erasePackage } from './erasePackage';
import { readInstalledRpms, type InstalledRpm } from './InstalledRpms';
import { LayerErrorCode } from './LayerError';
import { moveLayerVarToTmpfiles, varEntries } from './LayerVar';
import { baseArch, openLayerRepos, releaseVersion, type OpenedRepos } from './LayerRepos';
import { mergeLayer } from './mergeLayer';
import { OverlaySandbox } from './OverlaySandbox';
import { recordLayeredRpmDb } from './recordLayeredRpmDb';
import { RepoSignatureCheck } from './RepoSignatureCheck';

export interface LayerRpmsOptions {
  plugin: string;
  /** Install the newcomers' weak dependencies (Recommends); off by default, keeping layers small. */
  recommends: boolean;
}

/**
 * Applies layering requests to a hardlink checkout of a base commit, rpm-ostree's way:
 * resolve against the base's rpmdb plus the deployment's repos, check the signatures of what
 * comes from repos with gpgcheck=1, take out removed and replaced
 * packages' files, unpack the newcomers (every file renamed into place, never written over),
 * record it all in the rpmdb (a new file renamed over the old), then run the newcomers'
 * install scriptlets over an overlay of the tree and move what they changed in.
 */
export async function layerRpms(hooks: Pick<ArborHooks, 'source' | 'resolve' | 'fetch'>, request: LayerRequest, context: HookContext, options: LayerRpmsOptions): Promise<LayerResult> {
  const { tree } = request;
  const step = stepTimer(options.plugin, context);
  const installed = readInstalledRpms(tree);
  step(`read ${installed.length} installed packages from the rpmdb`);
  const arch = treeArch(installed);
  const { requested, inactive, localRecords, replacedNames } = await classifyRequests(request, installed, arch);
  const result: LayerResult = { layeredBy: options.plugin, added: [], removed: [], replaced: [], inactive };
  if (requested.length === 0 && request.removals.length === 0) return result;

  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-layer-cache-'));
  let repos: OpenedRepos | undefined;
  try {
    // Newcomers may need dependencies from the repos; removals alone never do.
    if (requested.length) {
      const variables = { basearch: baseArch(arch), arch, releasever: releaseVersion(tree) ?? '' };
      repos = await openLayerRepos(hooks, request.configRoot, variables, cacheDir, context);
      step(`opened ${repos.sources.length} repos (${repos.packages.length} packages)`);
    }
    const selected = await resolve(hooks, {
      requested,
      excluded: request.removals,
      recommends: options.recommends,
      arch,
      available: [...(repos?.packages ?? []), ...localRecords],
      sources: repos?.sources ?? [],
      installed: installed.map((pkg) => pkg.record),
      selected: [],
      problems: [],
    }, context, repos?.searched ?? []);
    step(`resolved ${selected.length} packages`);
    const files: string[] = [];
    for (const pkg of selected) files.push(pkg.repo === LOCAL_REPO ? pkg.location : await download(repos!, pkg, context));
    step(`downloaded ${selected.length} packages`);
    // gpgcheck: every package from a checking repo verifies before the tree is touched.
    const signatures = new RepoSignatureCheck(hooks, { tree, configRoot: request.configRoot }, cacheDir, context);
    for (const [index, pkg] of selected.entries()) {
      const repo = pkg.repo === LOCAL_REPO ? undefined : repos?.repos.get(pkg.repo);
      if (repo) files[index] = await signatures.verify(repo, files[index]!);
    }
    step('checked the packages\' signatures');

    const leaving = installed.filter((pkg) => request.removals.includes(pkg.name) || replacedNames.has(pkg.name));
    const staying = installed.filter((pkg) => !leaving.includes(pkg));
    const etcInUsr = isDirectory(path.join(tree, 'usr/etc')) && !fs.existsSync(path.join(tree, 'etc'));
    const baseVar = varEntries(tree);
    const stayingPaths = new Set(staying.flatMap((pkg) => pkg.fileList.files.map((file) => file.path)));
    for (const pkg of leaving) erasePackage(tree, pkg, (file) => stayingPaths.has(file), etcInUsr);
    step(`erased ${leaving.length} packages`);
    const scriptlets = await installNewcomers(tree, files, { staying, replacedNames, etcInUsr, context });
    step(`installed ${files.length} packages`);

    const byName = new Map(installed.map((pkg) => [pkg.name, pkg]));
    const localFiles = new Map(selected.filter((pkg) => pkg.repo === LOCAL_REPO).map((pkg) => [pkg.name, pkg.location]));
    for (const { package: nevra, name } of scriptlets) {
      const replaced = replacedNames.has(name) ? byName.get(name) : undefined;
      const file = localFiles.get(name);
      const layered = { name, nevra, ...(file !== undefined ? { file } : {}) };
      if (replaced) result.replaced.push({ from: { name: replaced.name, nevra: replaced.nevra }, to: layered });
      else result.added.push(layered);
    }
    result.removed = leaving.filter((pkg) => !replacedNames.has(pkg.name)).map((pkg) => ({ name: pkg.name, nevra: pkg.nevra }));
    await recordLayeredRpmDb(tree, { remove: leaving.map((pkg) => pkg.hnum), add: files, arch });
    step('recorded the transaction in the rpmdb');
    await runLayerScriptlets(tree, scriptlets, context);
    step('ran the scriptlets');
    if (etcInUsr) moveLayerVarToTmpfiles(tree, baseVar, context, options.plugin);
    return result;
  } finally {
    await repos?.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

/**
 * Unpacks the newcomers in install order, each checked against every path a staying package
 * lists (rpm's file conflicts) and against the ones before it; /etc files go to usr/etc when
 * the tree is in commit layout. Returns each package's install scriptlets, with rpm's `$1`.
 */
async function installNewcomers(
  tree: string,
  files: readonly string[],
  options: { staying: readonly InstalledRpm[]; replacedNames: ReadonlySet<string>; etcInUsr: boolean; context: HookContext },
): Promise<(PackageScriptlets & { name: string })[]> {
  const state = installState(options.staying);
  const installed: (PackageScriptlets & { name: string })[] = [];
  for (const file of files) {
    const done = await installPackage(file, { tree, state, logger: options.context.logger, accountsDir: options.etcInUsr ? 'usr/etc' : 'etc' });
    installed.push({ name: done.name, package: done.nevra, scriptlets: installScriptlets(done.scripts), instances: options.replacedNames.has(done.name) ? 2 : 1 });
  }
  // Packages put /etc files at etc/; a tree in commit layout keeps them in usr/etc.
  if (options.etcInUsr && fs.existsSync(path.join(tree, 'etc'))) {
    mergeLayer(path.join(tree, 'etc'), path.join(tree, 'usr/etc'));
    fs.rmSync(path.join(tree, 'etc'), { recursive: true, force: true });
  }
  return installed;
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
    sandbox.apply((relative) => context.logger.warn(`a scriptlet made /${relative}, a device node, fifo or socket; it is left out of the layered commit`));
  } finally {
    sandbox.remove();
  }
}

/** Logs how long each step took (debug), so a slow layering says where its time went. */
function stepTimer(plugin: string, context: HookContext): (what: string) => void {
  let last = performance.now();
  return (what) => {
    const now = performance.now();
    context.logger.debug(`${plugin}: ${what} in ${Math.round(now - last)} ms`);
    last = now;
  };
}

/** The tree's architecture: its packages' first arch other than noarch, else this machine's. */
function treeArch(installed: readonly InstalledRpm[]): string {
  const named = installed.map((pkg) => pkg.record.arch).find((arch) => arch && arch !== 'noarch');
  if (named) return named;
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le' };
  return names[process.arch] ?? process.arch;
}

function isDirectory(dir: string): boolean {
  return fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
