import path from 'node:path';
import * as v from 'valibot';
import { ComposeMetadataKey } from '../../compose/ComposeInputs';
import { describePluginInputs } from '../../compose/describePluginInputs';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import type { LabelRequest, LayeredPackage, LayerRequest, LayerRequests, LayerResult } from '../../hooks';
import { blake3 } from '../../store/Blake3';
import { canonicalJson } from '../../store/canonicalJson';
import { checkoutCommit } from '../../store/checkoutCommit';
import type { Commit } from '../../store/Commit';
import type { ObjectId } from '../../store/ObjectId';
import type { Repo } from '../../store/Repo';
import type { SysrootSession } from '../SysrootSession';
import { LAYER_REF_PREFIX, LayerMetadataKey, layeredCommitOf, type LayeredCommit } from './LayerMetadata';
import { layeredPackageList } from './LayeredPackageList';
import { AdoptableTree } from './AdoptableTree';
import { commitLayeredTree } from './commitLayeredTree';
import { LayerScratch } from './LayerScratch';
import { LocalPackages } from './LocalPackages';

export interface LayerCommitRequest {
  base: ObjectId;
  /** As the origin records them (local files as /arbor/packages/<id>.rpm). */
  requests: LayerRequests;
  /** The /etc whose yum.repos.d the tap reads: the merge deployment's etc; default the base's usr/etc. */
  configRoot?: string;
}

export interface LayerCommitResult extends LayeredCommit {
  /** An identical earlier layering was reused: no checkout, no tap, no commit. */
  reused: boolean;
  /** Milliseconds spent in each step (all 0 when reused). */
  timings: { checkout: number; layer: number; commit: number; cleanup: number };
  /**
   * With `keepTree`, the committed scratch tree when it is exactly a hardlink checkout of the
   * layered commit once adopted (see AdoptableTree); the caller must dispose() it.
   */
  tree?: AdoptableTree;
}

const LABEL_XATTR = 'security.selinux';

/**
 * Makes the layered commit for `base` + `requests`: a hardlink checkout of the base in a scratch
 * directory beside the repo, the `layer` hook applied to it, and a commit of the result whose
 * parent is the base and whose metadata records base, requests and result (LayerMetadataKey).
 * When the same base, requests and plugins were layered before and the commit is still in the
 * repo, that commit is returned instead. Runs under the sysroot lock.
 */
export async function layerCommit(session: SysrootSession, request: LayerCommitRequest, options: { keepTree?: boolean } = {}): Promise<LayerCommitResult> {
  const { sysroot, arbor, repo, context } = session;
  const key = layerCacheKey(session, request);
  const cached = findCachedLayer(repo, key);
  if (cached) return { ...cached, reused: true, timings: { checkout: 0, layer: 0, commit: 0, cleanup: 0 } };
  if (arbor.hooks.layer.taps.length === 0) throw noLayerPlugin(request.base);

  const packages = new LocalPackages(sysroot);
  const requests = packages.resolveAll(request.requests);
  const baseCommit = repo.readCommit(request.base);
  const scratch = LayerScratch.create(sysroot);
  let kept = false;
  const timings = { checkout: 0, layer: 0, commit: 0, cleanup: 0 };
  let clock = Date.now();
  const lap = (): number => {
    const now = Date.now();
    const elapsed = now - clock;
    clock = now;
    return elapsed;
  };
  try {
    const tree = scratch.tree;
    await checkoutCommit(arbor, repo, { ref: request.base, dest: tree, strategy: 'hardlink', signal: context.signal });
    const untouchedBefore = scratch.markCheckoutDone();
    timings.checkout = lap();
    const payload: LayerRequest = { ...requests, tree, base: request.base, configRoot: request.configRoot ?? path.join(tree, 'usr', 'etc') };
    const answered = await arbor.hooks.layer.promise(payload, context);
    if (!answered) throw noLayerPlugin(request.base);
    const result = withRecordedFiles(checkResult(answered), request.requests);
    timings.layer = lap();
    const branch = `${LAYER_REF_PREFIX}${key}`;
    const subject = `${baseCommit.subject || request.base} + ${describeRequests(request.requests)}`;
    const metadata = layeredMetadata(baseCommit, { base: request.base, requests: request.requests, result, key });
    const layered = { base: request.base, requests: request.requests, result, key, reused: false, timings };
    // Only what the tap changed is read, and labeled with the base's request: the files kept
    // are the base's objects, labels and all.
    // A clock stepped back while the tap ran would date its changes before the marker: then
    // every file is compared by inode instead.
    const clockKept = scratch.markCheckoutDone() >= untouchedBefore;
    const committed = await commitLayeredTree(arbor, repo, {
      tree, base: baseCommit, parent: request.base, branch, subject, metadata, signal: context.signal, ...(clockKept ? { untouchedBefore } : {}),
      label: labelRequestOf(repo, baseCommit), relabelAll: touchesLabelPolicy,
    });
    timings.commit = lap();
    if (options.keepTree && repo.mode === 'bare') {
      kept = true;
      return { commit: committed.commit, ...layered, tree: new AdoptableTree(repo, scratch, committed, () => { timings.cleanup = lap(); }) };
    }
    return { commit: committed.commit, ...layered };
  } finally {
    if (!kept) {
      scratch.remove();
      timings.cleanup = lap();
    }
  }
}

/**
 * What makes two layerings the same: the base, the requests (local files are named by their
 * content), and every plugin's name, version and options (a new rpm plugin may layer differently).
 */
function layerCacheKey(session: SysrootSession, request: LayerCommitRequest): string {
  const inputs = { base: request.base, requests: request.requests, plugins: describePluginInputs(session.arbor) };
  return blake3(Buffer.from(canonicalJson(inputs))).toString('hex');
}

function findCachedLayer(repo: Repo, key: string): LayeredCommit | undefined {
  const id = repo.readRef(`${LAYER_REF_PREFIX}${key}`);
  if (!id || !repo.hasObject(id, 'commit')) return undefined;
  const layered = layeredCommitOf(id, repo.readCommit(id));
  return layered?.key === key ? layered : undefined;
}

/** The base's metadata (version, treefile keys), its package list updated, and the layering. */
function layeredMetadata(base: Commit, layered: Omit<LayeredCommit, 'commit'>): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...base.metadata };
  // The inputs hash names a compose's inputs; this tree is not that compose's output any more.
  delete metadata[ComposeMetadataKey.INPUTS];
  const packages = layeredPackageList(base.metadata[ComposeMetadataKey.PACKAGES], layered.result);
  if (packages) metadata[ComposeMetadataKey.PACKAGES] = packages;
  metadata[LayerMetadataKey.BASE] = layered.base;
  metadata[LayerMetadataKey.REQUESTS] = layered.requests;
  metadata[LayerMetadataKey.RESULT] = layered.result;
  metadata[LayerMetadataKey.KEY] = layered.key;
  return metadata;
}

/**
 * A base composed with `selinux: true` carries labels (its root directory has one); the layered
 * tree is labeled the same way, from the policy inside it, so added files get theirs.
 */
function labelRequestOf(repo: Repo, base: Commit): LabelRequest {
  const root = repo.readDirMeta(base.rootMeta);
  return root.xattrs.some(([name]) => name === LABEL_XATTR) ? { selinux: true } : {};
}

/** Where a tree keeps its SELinux policy (etc/selinux/config names it): usr/etc once committed. */
const LABEL_POLICY_DIRS = ['/usr/etc/selinux/', '/etc/selinux/'];

/**
 * A layering that adds, changes or removes a policy file may change the label of any path, so
 * the whole tree is relabeled, as rpm-ostree does when the policy changes.
 */
function touchesLabelPolicy(paths: string[]): boolean {
  return paths.some((treePath) => LABEL_POLICY_DIRS.some((dir) => treePath.startsWith(dir)));
}

function describeRequests(requests: LayerRequests): string {
  const parts = [
    ...requests.packages,
    ...requests.localPackages.map((file) => path.basename(file)),
    ...requests.removals.map((name) => `-${name}`),
    ...requests.replacements.map((file) => `~${path.basename(file)}`),
  ];
  return parts.join(' ');
}

const PackageSchema = v.object({ name: v.string(), nevra: v.string(), file: v.optional(v.string()) });
const LayerResultSchema = v.object({
  layeredBy: v.string(),
  added: v.array(PackageSchema),
  removed: v.array(PackageSchema),
  replaced: v.array(v.object({ from: PackageSchema, to: PackageSchema })),
  inactive: v.array(v.string()),
});

/** The result is recorded in the commit and read back by status: it must have the documented shape. */
function checkResult(result: LayerResult): LayerResult {
  const parsed = v.safeParse(LayerResultSchema, result);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    const where = v.getDotPath(issue) ?? '(root)';
    throw new ArborError(ErrorCode.LAYER_RESULT_INVALID, `A layer tap returned an invalid result: ${where}: ${issue.message}`, {
      hint: 'A layer tap returns { layeredBy, added, removed, replaced, inactive } (docs/hooks/layer.md)',
    });
  }
  return parsed.output;
}

/**
 * The tap names local package files by the paths it was given, which are this machine's
 * (SYSROOT/arbor/packages/...); the commit records them as the origin does, by the sysroot path
 * of their content-named copy, and drops a file that is no request's.
 */
function withRecordedFiles(result: LayerResult, requests: LayerRequests): LayerResult {
  const recorded = new Map([...requests.localPackages, ...requests.replacements].map((entry) => [path.basename(entry), entry]));
  const record = (pkg: LayeredPackage): LayeredPackage => {
    const { file, ...rest } = pkg;
    const entry = file === undefined ? undefined : recorded.get(path.basename(file));
    return entry === undefined ? rest : { ...rest, file: entry };
  };
  return { ...result, added: result.added.map(record), replaced: result.replaced.map(({ from, to }) => ({ from: record(from), to: record(to) })) };
}

function noLayerPlugin(base: ObjectId): ArborError {
  return new ArborError(ErrorCode.LAYER_NO_PLUGIN, `No plugin layers packages onto ${base}: the deployment requests packages and nothing taps the layer hook`, {
    hint: 'Add the rpm plugin (@arbor/plugin-rpm; the fedora preset has it) to the config\'s plugins',
  });
}
