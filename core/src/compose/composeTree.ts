import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import type { ComposeSession, ComposeTree, PackageRecord, PackageSource, ResolvePlan } from '../hooks';
import { Repo } from '../store/Repo';
import type { RepoLock } from '../store/RepoLock';
import { ComposeMetadataKey, composedPackage, composeInputsHash, nextVersion, type ComposedPackage } from './ComposeInputs';
import { describePluginInputs } from './describePluginInputs';
import { commitTree } from '../store/commitTree';
import { signCommit } from '../signing/signCommit';
import { loadTreefile, type LoadedTreefile, type Treefile } from './Treefile';

export interface ComposeOptions {
  treefile: string;
  /** The Arbor repo to commit into. */
  repo: string;
  /** Where downloaded metadata and packages are kept between composes (default: a temp dir). */
  cacheDir?: string;
  /** Resolve and report the package set; download, install and commit nothing. */
  dryRun?: boolean;
  /** The architecture to compose for (default: this machine's). */
  arch?: string;
  /** An ed25519 private key file to sign the new commit with. */
  signKey?: string;
}

export interface ComposeResult {
  /** The new commit, or the ref's current one when nothing changed; absent on a dry run. */
  commit?: string;
  ref: string;
  packages: ComposedPackage[];
  /** False when the inputs equal the last compose's, so no commit was written. */
  changed: boolean;
  dryRun: boolean;
  version?: string;
  /** Scriptlets that did not run, each with its package and reason. */
  skippedScriptlets: { package: string; scriptlet: string; reason: string }[];
}

/**
 * `arbor compose tree`: treefile -> sources -> resolve -> download -> install -> postprocess ->
 * label -> commit. Every step is a hook call, so what is format-specific (RPM headers, rpm's
 * scriptlet phases, version comparison) lives in plugins (rpm-md, rpm, postprocess); this
 * function only orders the steps, keeps the staging tree, and writes nothing to the repo
 * until the tree is complete (a failure leaves no ref and no commit).
 */
export async function composeTree(arbor: Arbor, options: ComposeOptions): Promise<ComposeResult> {
  const loaded = loadTreefile(options.treefile);
  const { treefile } = loaded;
  const repo = options.dryRun ? undefined : Repo.open(options.repo);
  if (treefile.selinux && !options.dryRun && arbor.hooks.label.taps.length === 0) {
    throw new ArborError(ErrorCode.COMPOSE_TREEFILE_INVALID, `Treefile ${options.treefile} sets selinux: true, but no plugin labels files`, {
      hint: 'Add the selinux plugin to the config, or set selinux: false',
    });
  }
  let context = arbor.context({ repo });
  const ownCache = options.cacheDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-compose-cache-'));
  const cacheDir = path.resolve(options.cacheDir ?? ownCache!);
  let staging: string | undefined;
  let lock: RepoLock | undefined;
  const sources: PackageSource[] = [];
  try {
    await openSources(arbor, loaded, cacheDir, context, sources);
    if (!options.dryRun) assertInstaller(arbor, treefile.ref, sources);
    const available = await listPackages(sources, context);
    const plan = await resolve(arbor, treefile, available, sources, options.arch ?? hostArch(), context);
    const packages = plan.selected.map(composedPackage);
    const base = { ref: treefile.ref, packages, dryRun: Boolean(options.dryRun), skippedScriptlets: [] };
    if (!repo) return { ...base, changed: true };

    const inputs = composeInputsHash(loaded, plan.selected, extraInputFiles(loaded), describePluginInputs(arbor));
    const previousId = repo.readRef(treefile.ref);
    const previous = previousId ? repo.readCommit(previousId) : undefined;
    if (previousId && previous?.metadata[ComposeMetadataKey.INPUTS] === inputs) {
      // Nothing to compose, but a key asks for the existing commit to be signed (re-signing is idempotent).
      if (options.signKey) await signCommit(arbor, repo, previousId, options.signKey, context);
      return { ...base, commit: previousId, changed: false, version: previous.metadata.version as string | undefined };
    }

    const files = await download(plan.selected, sources, context);
    // The staging tree lives in the repo's tmp/ (same filesystem as objects/); the shared lock
    // keeps prune, which empties tmp/ of what killed writers left, away from it.
    lock = await repo.lock('shared', { onWait: () => context.logger.info(`Waiting for a prune of ${repo.path} to finish...`) });
    staging = fs.mkdtempSync(path.join(repo.tmpPath, 'compose-'));
    const tree = path.join(staging, 'root');
    fs.mkdirSync(tree, { mode: 0o755 });
    const session: ComposeSession = { tree, treefile: treefile as unknown as Record<string, unknown>, state: {} };
    context = { ...context, compose: session };
    await install(arbor, plan.selected, files, session, context);

    // Package plugins run what must follow the whole install here (rpm's scriptlet phases).
    const compose: ComposeTree = { tree, treefile: session.treefile, treefileDir: loaded.dir, installed: plan.selected, state: session.state };
    await arbor.hooks.postprocess.promise(compose, context);

    const version = treefile['automatic-version-prefix'] ? nextVersion(treefile['automatic-version-prefix'], previous?.metadata.version) : undefined;
    // commitTree runs the `label` and `commit` hooks: SELinux labels, then metadata plugins.
    const { commit } = await commitTree(arbor, repo, {
      tree,
      branch: treefile.ref,
      parent: previousId ?? null,
      subject: version ? `${treefile.ref} ${version}` : treefile.ref,
      metadata: {
        ...treefile.metadata,
        ...(version ? { [ComposeMetadataKey.VERSION]: version } : {}),
        [ComposeMetadataKey.PACKAGES]: packages,
        [ComposeMetadataKey.INPUTS]: inputs,
      },
      signKey: options.signKey,
      label: { selinux: Boolean(treefile.selinux) },
      compose: session,
      signal: context.signal,
    });
    // Plugins that skipped work (scriptlets they could not run) record it in the metadata.
    const recorded = repo.readCommit(commit).metadata[ComposeMetadataKey.SKIPPED_SCRIPTLETS];
    const skippedScriptlets = Array.isArray(recorded) ? recorded as ComposeResult['skippedScriptlets'] : [];
    return { ...base, commit, changed: true, version, skippedScriptlets };
  } finally {
    await Promise.all(sources.map((source) => source.close?.()));
    if (staging) fs.rmSync(staging, { recursive: true, force: true });
    lock?.release();
    if (ownCache) fs.rmSync(ownCache, { recursive: true, force: true });
  }
}

/** Opens each treefile repo into `sources` as it goes, so the caller can close what opened before a failure. */
async function openSources(arbor: Arbor, loaded: LoadedTreefile, cacheDir: string, context: HookContext, sources: PackageSource[]): Promise<void> {
  for (const entry of loaded.treefile.repos) {
    const url = typeof entry === 'string' ? entry : entry.url;
    const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
    const location = remote ? url : path.resolve(loaded.dir, url);
    const id = (typeof entry === 'string' ? undefined : entry.id) ?? (remote ? url : path.basename(location));
    const kind = (typeof entry === 'string' ? undefined : entry.kind) ?? defaultSourceKind(arbor, id);
    const source = (arbor.hooks.source.get(kind)?.taps.length ?? 0) > 0 ? await arbor.hooks.source.for(kind).promise({ id, url: location, cacheDir }, context) : undefined;
    if (!source) {
      throw new ArborError(ErrorCode.COMPOSE_MISSING_PLUGIN, `No plugin opens ${kind} repo ${id} (${url})`, {
        hint: `Add the plugin for ${kind} repos to the config's plugins, or a preset that has it (preset fedora has rpm-md)`,
      });
    }
    sources.push(source);
  }
}

/** The kind of a repo whose treefile entry names none: that of the one source plugin configured. */
function defaultSourceKind(arbor: Arbor, id: string): string {
  const kinds = [...new Set(arbor.taps.filter((tap) => tap.hook === 'source').map((tap) => tap.key!))];
  if (kinds.length === 1) return kinds[0]!;
  throw new ArborError(ErrorCode.COMPOSE_MISSING_PLUGIN, kinds.length === 0
    ? `No plugin opens package repos, so repo ${id} cannot be read`
    : `Repo ${id} names no kind, and plugins open several (${kinds.join(', ')})`, {
    hint: kinds.length === 0
      ? 'Use a preset that composes, e.g. preset: fedora (rpm-md repos, the rpm installer, postprocessing)'
      : `Give it one: repos: [{ url: ..., kind: ${kinds[0]} }]`,
  });
}

/** A compose with packages and no installer would commit an empty tree: refuse it up front. */
function assertInstaller(arbor: Arbor, ref: string, sources: readonly PackageSource[]): void {
  if (sources.length === 0 || arbor.hooks.install.taps.length > 0) return;
  const installer = sources.find((source) => source.installer)?.installer ?? 'a plugin that installs these packages';
  throw new ArborError(ErrorCode.COMPOSE_MISSING_PLUGIN, `Nothing installs packages for ${ref}: no plugin taps install (it needs ${installer})`, {
    hint: 'Add that plugin to the config\'s plugins, or use its preset (preset: fedora)',
  });
}

async function listPackages(sources: readonly PackageSource[], context: HookContext): Promise<PackageRecord[]> {
  const task = context.progress.start('metadata', sources.length);
  try {
    const lists: PackageRecord[][] = [];
    for (const source of sources) {
      lists.push(await source.packages(context));
      task.tick();
    }
    return lists.flat();
  } finally {
    task.done();
  }
}

async function resolve(
  arbor: Arbor, treefile: Treefile, available: PackageRecord[], sources: PackageSource[], arch: string, context: HookContext,
): Promise<ResolvePlan> {
  const plan = await arbor.hooks.resolve.promise({
    requested: treefile.packages, excluded: treefile['exclude-packages'], recommends: treefile.recommends,
    arch, available, sources, selected: [], problems: [],
  }, context);
  if (plan.problems.length) {
    const first = plan.problems[0]!;
    const code = /^no package matches|is excluded/.test(first) ? ErrorCode.RESOLVE_NOT_FOUND : ErrorCode.RESOLVE_UNSATISFIABLE;
    throw new ArborError(code, `Cannot resolve the packages of ${treefile.ref}: ${first}`, {
      hint: plan.problems.length > 1 ? `${plan.problems.length - 1} more problem(s): ${plan.problems.slice(1).join('; ')}` : undefined,
    });
  }
  if (treefile.packages.length && plan.selected.length === 0) {
    throw new ArborError(ErrorCode.COMPOSE_MISSING_PLUGIN, 'No plugin resolved the requested packages', {
      hint: 'Add a resolver to the config\'s plugins (rpm-md resolves rpm-md repos), or use preset: fedora',
    });
  }
  return plan;
}

async function download(packages: readonly PackageRecord[], sources: readonly PackageSource[], context: HookContext): Promise<Map<PackageRecord, string>> {
  const byId = new Map(sources.map((source) => [source.id, source]));
  const files = new Map<PackageRecord, string>();
  const task = context.progress.start('download', packages.length);
  try {
    for (const pkg of packages) {
      const source = byId.get(pkg.repo);
      if (!source) throw new ArborError(ErrorCode.HOOK_UNHANDLED, `Package ${pkg.name} comes from repo ${pkg.repo}, which no source opened`);
      files.set(pkg, await source.download(pkg, context));
      task.tick(1, typeof pkg.size === 'number' ? pkg.size : 0);
    }
  } finally {
    task.done();
  }
  return files;
}

async function install(
  arbor: Arbor, packages: readonly PackageRecord[], files: Map<PackageRecord, string>, session: ComposeSession, context: HookContext,
): Promise<void> {
  const task = context.progress.start('install', packages.length);
  try {
    for (const pkg of packages) {
      const request = { packagePath: files.get(pkg)!, package: pkg, tree: session.tree, state: session.state };
      const result = await arbor.hooks.install.promise(request, context);
      if (!result) {
        throw new ArborError(ErrorCode.COMPOSE_MISSING_PLUGIN, `No plugin installs ${nevraOf(pkg)} (${path.basename(request.packagePath)})`, {
          hint: 'The installers configured do not recognise its format; add the plugin for it',
        });
      }
      task.tick();
    }
  } finally {
    task.done();
  }
}

/** Files outside the treefile whose bytes shape the tree, for the inputs hash. */
function extraInputFiles(loaded: LoadedTreefile): string[] {
  const { treefile, dir } = loaded;
  const files = treefile['add-files'].map(([source]) => path.resolve(dir, source));
  if (treefile['postprocess-script']) files.push(path.resolve(dir, treefile['postprocess-script']));
  return files;
}

function nevraOf(pkg: PackageRecord): string {
  return `${pkg.name}-${pkg.epoch ? `${pkg.epoch}:` : ''}${pkg.version}-${pkg.release}.${pkg.arch}`;
}

/** rpm's name for this machine's architecture. */
function hostArch(): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le' };
  return names[process.arch] ?? process.arch;
}
