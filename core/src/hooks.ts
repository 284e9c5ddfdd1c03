import {
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  HookMap,
} from 'tapable';
import type { HookContext } from './HookContext';
import type { Repo } from './store/Repo';

/**
 * Every lifecycle hook Arbor has, declared once. Plugins tap these and never add hooks to the
 * core (webpack's Compiler.hooks). Payload types live beside the declarations so a plugin
 * author reads one file to learn a hook's contract; `docs/hooks/<name>.md` explains each.
 */

/** Named stages order taps within a hook; equal stages keep registration order. */
export const Stage = {
  /** Guards and policy that must see the input before anything acts on it. */
  PRE: -100,
  /** The default: the plugin that does the hook's main work. */
  NORMAL: 0,
  /** Observers and follow-up writers that need the main work done. */
  POST: 100,
} as const;

export type StageName = keyof typeof Stage;

// ---------------------------------------------------------------- compose side

/** A package as a source knows it, before it is downloaded. */
export interface PackageRecord {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  /** The source (repo id) that offers it. */
  repo: string;
  /** Where the source can fetch it from (relative to the source, or absolute). */
  location: string;
  /** The package file's checksum as the source records it; downloads are checked against it. */
  checksum?: { type: string; value: string };
  [extra: string]: unknown;
}

/** What a treefile asks a source hook to open, keyed by kind (`rpm-md`, ...). */
export interface SourceSpec {
  /** The name the treefile gives it, or its URL. */
  id: string;
  /** A base URL (`http(s)://`, `file://`) or a local directory. */
  url: string;
  /** Where downloads are kept, keyed by checksum; compose passes `--cache-dir` or a temp dir. */
  cacheDir?: string;
}

/** An opened package source: lists what it offers and downloads a package into the cache. */
export interface PackageSource {
  id: string;
  packages(ctx: HookContext): Promise<PackageRecord[]>;
  /** Returns the local path of the verified package file. */
  download(pkg: PackageRecord, ctx: HookContext): Promise<string>;
  /**
   * Every file each package holds, for sources whose package list carries only some of them
   * (rpm-md: primary.xml vs filelists.xml). Keys are the records `packages()` returned. A
   * resolver calls it only when a file dependency is not answered otherwise.
   */
  fileLists?(ctx: HookContext): Promise<Map<PackageRecord, string[]>>;
  /** Releases what the source holds open (HTTP connections); compose calls it when done. */
  close?(): Promise<void>;
  /**
   * Which plugin installs this source's packages, for the error when none is configured,
   * e.g. `the rpm plugin (@arbor/plugin-rpm; preset fedora has it)`.
   */
  installer?: string;
}

/** Threaded through `resolve` taps: the request in, the chosen set out. */
export interface ResolvePlan {
  /** Package names or provides (`bash`, `/usr/bin/sh`, `webserver >= 2`), as the treefile lists them. */
  requested: string[];
  /** Names never to choose (treefile `exclude-packages`). */
  excluded: string[];
  /** Whether weak dependencies (Recommends, Supplements) are installed. */
  recommends: boolean;
  /** The architecture composed for, e.g. `x86_64`; packages of incompatible arches are never chosen. */
  arch: string;
  available: PackageRecord[];
  /** The opened sources, for resolvers that need more metadata (file lists) than `available` has. */
  sources: PackageSource[];
  /**
   * Packages already in the tree, when resolving onto an existing one (package layering; a
   * compose leaves it out): they stay and are never chosen again, newcomers must not conflict
   * with them, installed names in `excluded` are taken out, and a requested package with an
   * installed package's name replaces it. What stays must keep every requirement it had met.
   * `selected` holds only the newcomers. Records have the fields the sources' records have.
   */
  installed?: PackageRecord[];
  /** The chosen packages, in install order (what a package requires comes before it). */
  selected: PackageRecord[];
  /** Human-readable problems; a non-empty list fails the compose. */
  problems: string[];
}

export interface InstallRequest {
  /** Local path of the package file. */
  packagePath: string;
  package?: PackageRecord;
  /** The staging tree to unpack into. */
  tree: string;
  /**
   * State shared by one compose's plugins, the same object in every compose hook (also as
   * `context.compose.state`): a plugin keeps its own key, e.g. file owners for conflict checks.
   */
  state: Record<string, unknown>;
}

/** What the installer that handled a package answers (`install` is a bail hook). */
export interface InstallResult {
  /** The plugin that installed it. */
  installedBy: string;
  /** Files and directories it laid down. */
  entries: number;
}

/** A compose in progress, as `context.compose` during every compose hook. */
export interface ComposeSession {
  tree: string;
  treefile: Record<string, unknown>;
  /** The plugins' shared state (InstallRequest.state). */
  state: Record<string, unknown>;
}

export interface ComposeTree {
  /** The staging tree. */
  tree: string;
  /** The validated treefile. */
  treefile: Record<string, unknown>;
  /** The treefile's directory: relative paths in it (add-files, postprocess-script) start here. */
  treefileDir: string;
  /** Packages installed, in install order. */
  installed: PackageRecord[];
  /** The plugins' shared state, as in InstallRequest. */
  state: Record<string, unknown>;
}

/** File metadata as it will be committed; `label` taps may change it. */
export interface FileMetadata {
  uid: number;
  gid: number;
  mode: number;
  xattrs: Record<string, Buffer>;
}

/** One entry of a tree being committed, as a `label` tap sees it. */
export interface LabelTarget {
  /**
   * The path the entry has on the running system, starting with `/`: `usr/etc/x` is seen as
   * `/etc/x`, since deploy copies usr/etc to etc (ostree labels it the same way).
   */
  path: string;
  /** The path inside the committed tree, starting with `/`. */
  treePath: string;
  /** The absolute path of the tree being committed (for compose: the staging tree). */
  root: string;
  /** The file type bits of the entry (S_IFREG, S_IFDIR, S_IFLNK). */
  type: number;
  /** What this commit asked of labelers: one object shared by every entry of the commit. */
  request: LabelRequest;
}

/** What a commit asks of `label` taps; a labeler with nothing to go on leaves files as they are. */
export interface LabelRequest {
  /** `arbor commit --file-contexts FILE`: an SELinux file_contexts to label from. */
  fileContexts?: string;
  /** A compose with `selinux: true`: label from the policy inside the tree. */
  selinux?: boolean;
}

/**
 * What a `label` tap may declare when it taps: `tapPromise({ name, labelsOnRequest: true }, fn)`
 * says the tap returns the metadata unchanged unless the commit's LabelRequest asks for labels
 * (`fileContexts` or `selinux`). When every tap says so and the request asks for none, the
 * commit does not call the hook at all. A tap that labels every commit (from the path alone)
 * leaves it unset and is called for every entry of every commit.
 */
export interface LabelTapOptions {
  labelsOnRequest?: boolean;
}

export type CommitMetadata = Record<string, unknown>;

// ---------------------------------------------------------------- client side

export interface FetchRequest {
  /** The remote's base URL. */
  url: string;
  remote?: string;
}

export interface TransportGetOptions {
  /** The most bytes the body may have; enforced while it streams, so a lying server can't exhaust memory. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/** An opened response: its declared length (when the server gave one) and its body, chunk by chunk. */
export interface TransportResponse {
  length?: number;
  body: AsyncIterable<Buffer>;
}

/**
 * A connection to a remote repo, chosen by URL scheme. Paths are relative to the remote's base
 * URL (`summary`, `objects/ab/cdef....dirtree`). A path the remote does not have is an
 * ArborError with code ARBOR_REMOTE_NOT_FOUND, so callers can tell "absent" from "broken".
 */
export interface Transport {
  /** Reads `path` whole; `maxBytes` bounds the body. */
  get(path: string, options?: TransportGetOptions): Promise<Buffer>;
  /** Opens `path` for streaming, for bodies too large to hold in memory; read the body to the end or break. */
  open(path: string, options?: TransportGetOptions): Promise<TransportResponse>;
  /** Requests made and body bytes received so far, for progress and benchmarks. */
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

/**
 * One detached signature, as `arbor commit --sign-key` and `arbor summary --sign-key` write it
 * (the store's `commitsig` encoding, docs/format.md). It covers the exact bytes: the commit
 * object's canonical bytes, or the summary file as served.
 */
export interface Signature {
  /** The scheme, e.g. `ed25519`; a verifier ignores schemes it does not know. */
  algorithm: string;
  /** Identifies the signing key; for ed25519, the raw 32-byte public key. */
  keyId: Buffer;
  signature: Buffer;
}

/** What `sign` taps are asked to sign: `--sign-key` and the exact bytes. */
export interface SignRequest {
  /** The key as given: a key file, or `<type>:<id>` for keys that are not files. */
  key: string;
  /** The key's type, as the core read it (`ed25519` from a PEM file) or as the prefix gave it. */
  keyType: string;
  /** The exact bytes: the commit object's canonical bytes, or the summary file. */
  data: Buffer;
  /** What is signed, for messages: `commit <id>` or `summary`. */
  what: string;
}

/** How a remote wants what it serves checked, as `arbor remote add` recorded it. */
export interface RemotePolicy {
  /** Added with `--no-verify`: unsigned content is accepted (with a warning). */
  noVerify: boolean;
  /** Trusted public keys, each `{ type, key }` with `key` in the scheme's text form (PEM for ed25519). */
  keys: { type: string; key: string }[];
}

export interface VerifyRequest {
  /** The remote's name (for pull-local, the source repo's path or the `--remote` named). */
  remote: string;
  /** Where the content comes from, for messages: `remote origin`, or `local repo /srv/repo` for pull-local. */
  source: string;
  /** What is checked: a commit (before any of its tree is fetched) or the remote's summary. */
  kind: 'commit' | 'summary';
  /** The commit ID, for kind `commit`. */
  commitId?: string;
  /** The signed bytes: the commit object's canonical bytes (its ID is their BLAKE3), or the summary file as served. */
  data: Buffer;
  /** Detached signatures fetched with it (may be empty). */
  signatures: Signature[];
  policy: RemotePolicy;
}

/** What `checkout` taps materialize: one directory of a commit, written at `dest`. */
export interface CheckoutRequest {
  /** The open repository to read objects from. */
  repo: Repo;
  /** The commit being checked out. */
  commit: string;
  /** The path inside the commit that `dirtree`/`dirmeta` describe (`/` for the whole tree). */
  subpath: string;
  /** Root dirtree and dirmeta of what to check out. */
  dirtree: string;
  dirmeta: string;
  /** Absolute destination; created unless `union` merges into an existing directory. */
  dest: string;
  /** `hardlink`, `reflink`, `copy`, or a strategy another plugin offers. */
  strategy: string;
  /** Keep existing directories and replace existing files instead of refusing them. */
  union: boolean;
}

export interface CheckoutResult {
  /** The strategy that did the work; differs from the request when it fell back (e.g. hardlink → copy for an archive repo). */
  strategy: string;
  files: number;
  directories: number;
  /** File objects whose bytes were copied rather than linked. */
  copied?: number;
}

/** A checkout a storage strategy made (a deployment), to be removed by the same strategy. */
export interface RemoveCheckoutRequest {
  /** The directory to remove; it may be partial, left by an interrupted deploy. */
  path: string;
  /** The strategy that made it, as the deployment's origin records it. */
  strategy: string;
  repo: Repo;
}

export interface EtcMergeInput {
  /** The merge deployment's defaults (its usr/etc) and what the admin made of them (its etc). */
  oldDefaults: string;
  oldEtc: string;
  /** The new deployment's defaults (its usr/etc) and its etc, which starts as a full copy of them. */
  newDefaults: string;
  newEtc: string;
}

/**
 * The /etc merge, threaded through `mergeEtc` taps (docs/hooks/mergeEtc.md). The core fills in
 * the diff of oldDefaults -> oldEtc and the conflicts before the first tap runs; a tap applies
 * it to newEtc and sets `applied`. Paths are relative to /etc, e.g. `ssh/sshd_config`.
 */
export interface EtcMergePlan {
  /** Content, mode, owner, symlink target or type differ from the default. */
  modified: string[];
  /** Only in the admin's etc; every path below an added directory is listed too. */
  added: string[];
  /** In the defaults, gone from the admin's etc (a removed directory is listed once). */
  removed: string[];
  /** Admin-changed files whose default also changed between the two commits. */
  conflicts: string[];
  /** Admin-changed files whose default the new commit no longer ships (kept as the admin left them). */
  defaultRemoved?: string[];
  /** Special files (fifos, sockets, devices) that were not carried over. */
  skipped: string[];
  /** True once a tap has applied the merge to `newEtc`. */
  applied: boolean;
}

/** A deployment as the bootloader writers see it, in boot order (index 0 is the default). */
export interface BootDeployment {
  index: number;
  stateroot: string;
  commit: string;
  serial: number;
  /** BLAKE3 of the kernel and initramfs, which names their directory under /boot/arbor. */
  bootcsum: string;
  kernelVersion: string;
  /** Relative to the boot partition's root, e.g. `/arbor/os-<bootcsum>/vmlinuz-6.0.0`. */
  linux: string;
  initrd?: string;
  /** The deployment's own kernel arguments, as its origin records them. */
  kargs: string[];
  /**
   * This deployment's boot link, relative to the sysroot: `/arbor/boot.<B>/<stateroot>/<bootcsum>/<n>`,
   * where n counts the deployments before it with the same kernel. The initramfs finds the
   * deployment through it.
   */
  bootLink: string;
  /** The whole kernel command line: the kargs, then `arbor=<bootLink>`. */
  options: string[];
  /** os-release PRETTY_NAME, the version, then `(arbor:<stateroot>:<index>)`. */
  title: string;
  /** The commit's `version` metadata (else os-release VERSION), when there is one. */
  version?: string;
}

export interface BootloaderRequest {
  sysroot: string;
  /** The writer's registered name, as the sysroot's config records it. */
  bootloader: string;
  /** SYSROOT/boot: kernels are under `arbor/` (BootDeployment.linux is relative to it). */
  bootDir: string;
  /** The EFI system partition: the sysroot config's `esp`, else SYSROOT/boot/efi. */
  esp: string;
  /** The boot version being written (0 or 1); the live one is the other. */
  bootVersion: number;
  /** The new boot order; index 0 is the default. */
  deployments: BootDeployment[];
  /** The writer's options, as the sysroot config records them (`bootloaderOptions`). */
  options: Record<string, unknown>;
}

/**
 * A bootloader backend (ostree's OstreeBootloaderInterface): registered by name with
 * `arbor.bootloaders.register()`, and called for the sysroot whose config names it.
 */
export interface BootloaderWriter {
  /** The name `sysroot init --bootloader` and the config use: `grub`, `systemd-boot`, `bls`. */
  name: string;
  /** What it writes, for `arbor plugins` and the docs, e.g. `boot/loader/entries/*.conf`. */
  writes: string[];
  /** Whether `write` makes the new configuration live in one atomic step. */
  atomic: boolean;
  /**
   * Writes the configuration for `request.deployments` and makes it live. The core records the
   * boot order only after this returns, so a failure leaves the previous order in force.
   */
  write(request: BootloaderRequest, context: HookContext): Promise<void>;
}

/** A deployment's identity in the boot order. */
export interface DeploymentRef {
  stateroot: string;
  commit: string;
  serial: number;
}

export interface RollbackRequest {
  sysroot: string;
  /** The boot order before the rollback (index 0 is the default). */
  before: DeploymentRef[];
}

export interface DeployEvent {
  sysroot: string;
  stateroot: string;
  commit: string;
  serial: number;
  refspec: string;
  /** The deployment directory: checked out, etc/ and var ready, not yet in the boot order. */
  path: string;
  staged: boolean;
  /** The /etc merge that ran; absent on a first deploy, with --no-merge, or when staging. */
  etc?: EtcMergePlan;
}

/**
 * What a deployment asks on top of its base commit (`arbor install`, `uninstall`, `override`),
 * as its origin records it. The core keeps these requests; a `layer` tap (the RPM plugin's)
 * knows what a package is.
 */
export interface LayerRequests {
  /** Package names to add from the repos the tree configures (`arbor install NAME`). */
  packages: string[];
  /** Package files to add (`arbor install FILE.rpm`): absolute paths, kept in the sysroot. */
  localPackages: string[];
  /** Base packages to take out (`arbor override remove NAME`). */
  removals: string[];
  /** Package files that replace the base packages of the same name (`arbor override replace FILE.rpm`). */
  replacements: string[];
}

/** What `layer` taps are asked to do: apply the requests to a writable checkout of the base. */
export interface LayerRequest extends LayerRequests {
  /**
   * The base commit checked out with hardlinks to the store's objects, in commit layout
   * (`usr/etc`, no `etc`). A tap must never write an existing file in place: it replaces it
   * (a new file renamed over it), or the store's object changes under every deployment.
   */
  tree: string;
  /** The base commit's ID. */
  base: string;
  /**
   * The /etc to read package repo configuration from (`yum.repos.d`): the merge deployment's
   * etc when there is one, else the tree's usr/etc.
   */
  configRoot: string;
}

/** A package as a layer result names it. */
export interface LayeredPackage {
  name: string;
  /** name-[epoch:]version-release.arch */
  nevra: string;
  /**
   * The package file it came from, when the request gave a file (`localPackages`,
   * `replacements`) rather than a name: so `uninstall NAME` and `override reset NAME` find
   * the request for a local package by the name it installed.
   */
  file?: string;
}

/** What a `layer` tap did, recorded in the layered commit's metadata and shown by `status`. */
export interface LayerResult {
  /** The plugin that applied the requests. */
  layeredBy: string;
  /** Every package added: the requests and the dependencies they pulled in. */
  added: LayeredPackage[];
  /** Base packages taken out. */
  removed: LayeredPackage[];
  /** Base packages replaced: the base's package, and what replaced it. */
  replaced: { from: LayeredPackage; to: LayeredPackage }[];
  /** Requested names the base already provides: kept in the origin, applied to nothing. */
  inactive: string[];
}

// ---------------------------------------------------------------- the hooks

export interface ArborHooks {
  source: HookMap<AsyncSeriesBailHook<[SourceSpec, HookContext], PackageSource | undefined>>;
  resolve: AsyncSeriesWaterfallHook<[ResolvePlan, HookContext]>;
  install: AsyncSeriesBailHook<[InstallRequest, HookContext], InstallResult | undefined>;
  postprocess: AsyncSeriesHook<[ComposeTree, HookContext]>;
  label: AsyncSeriesWaterfallHook<[FileMetadata, LabelTarget, HookContext], FileMetadata, LabelTapOptions>;
  commit: AsyncSeriesWaterfallHook<[CommitMetadata, HookContext]>;
  sign: HookMap<AsyncSeriesBailHook<[SignRequest, HookContext], Signature | undefined>>;
  fetch: HookMap<AsyncSeriesBailHook<[FetchRequest, HookContext], Transport | undefined>>;
  /**
   * A waterfall of the plugins that vouched for the content: a tap that accepts a signature
   * returns the list with its name added, and throws to reject. Pull fails closed: content of
   * a remote with keys that no tap vouched for is refused, so a missing verifier cannot pass.
   */
  verify: AsyncSeriesWaterfallHook<[string[], VerifyRequest, HookContext]>;
  checkout: AsyncSeriesBailHook<[CheckoutRequest, HookContext], CheckoutResult | undefined>;
  /**
   * Applies a deployment's package requests to a checkout of its base; the first tap that
   * knows the packages answers. Throws, naming the package, when they cannot be applied.
   */
  layer: AsyncSeriesBailHook<[LayerRequest, HookContext], LayerResult | undefined>;
  removeCheckout: AsyncSeriesBailHook<[RemoveCheckoutRequest, HookContext], true | undefined>;
  mergeEtc: AsyncSeriesWaterfallHook<[EtcMergePlan, EtcMergeInput, HookContext]>;
  bootloader: HookMap<AsyncSeriesHook<[BootloaderRequest, HookContext]>>;
  /**
   * A waterfall of the new boot order: the core proposes the rollback deployment first; a tap
   * returns another order (a reordering of `before`) or throws to refuse.
   */
  rollback: AsyncSeriesWaterfallHook<[DeploymentRef[], RollbackRequest, HookContext]>;
  deploy: AsyncSeriesHook<[DeployEvent, HookContext]>;
  finalize: AsyncSeriesHook<[DeployEvent, HookContext]>;
}

export type HookName = keyof ArborHooks;

/** The phase each hook names in wrapped errors: "During <phase> (<plugin>): ...". */
export const HookPhase: Readonly<Record<HookName, string>> = Object.freeze({
  source: 'package source',
  resolve: 'dependency resolution',
  install: 'package install',
  postprocess: 'postprocess',
  label: 'labeling',
  commit: 'commit metadata',
  sign: 'signing',
  fetch: 'fetch',
  verify: 'verification',
  checkout: 'checkout',
  layer: 'package layering',
  removeCheckout: 'checkout removal',
  mergeEtc: '/etc merge',
  bootloader: 'bootloader update',
  rollback: 'rollback',
  deploy: 'deploy',
  finalize: 'finalize',
});

/** Builds a fresh, frozen set of hooks; each Arbor instance owns one. */
export function createHooks(): Readonly<ArborHooks> {
  return Object.freeze({
    source: new HookMap(() => new AsyncSeriesBailHook<[SourceSpec, HookContext], PackageSource | undefined>(['spec', 'context'])),
    resolve: new AsyncSeriesWaterfallHook<[ResolvePlan, HookContext]>(['plan', 'context']),
    install: new AsyncSeriesBailHook<[InstallRequest, HookContext], InstallResult | undefined>(['request', 'context']),
    postprocess: new AsyncSeriesHook<[ComposeTree, HookContext]>(['compose', 'context']),
    label: new AsyncSeriesWaterfallHook<[FileMetadata, LabelTarget, HookContext], FileMetadata, LabelTapOptions>(['metadata', 'target', 'context']),
    commit: new AsyncSeriesWaterfallHook<[CommitMetadata, HookContext]>(['metadata', 'context']),
    sign: new HookMap(() => new AsyncSeriesBailHook<[SignRequest, HookContext], Signature | undefined>(['request', 'context'])),
    fetch: new HookMap(() => new AsyncSeriesBailHook<[FetchRequest, HookContext], Transport | undefined>(['request', 'context'])),
    verify: new AsyncSeriesWaterfallHook<[string[], VerifyRequest, HookContext]>(['vouchedBy', 'request', 'context']),
    checkout: new AsyncSeriesBailHook<[CheckoutRequest, HookContext], CheckoutResult | undefined>(['request', 'context']),
    layer: new AsyncSeriesBailHook<[LayerRequest, HookContext], LayerResult | undefined>(['request', 'context']),
    removeCheckout: new AsyncSeriesBailHook<[RemoveCheckoutRequest, HookContext], true | undefined>(['request', 'context']),
    mergeEtc: new AsyncSeriesWaterfallHook<[EtcMergePlan, EtcMergeInput, HookContext]>(['plan', 'input', 'context']),
    bootloader: new HookMap(() => new AsyncSeriesHook<[BootloaderRequest, HookContext]>(['request', 'context'])),
    rollback: new AsyncSeriesWaterfallHook<[DeploymentRef[], RollbackRequest, HookContext]>(['order', 'request', 'context']),
    deploy: new AsyncSeriesHook<[DeployEvent, HookContext]>(['event', 'context']),
    finalize: new AsyncSeriesHook<[DeployEvent, HookContext]>(['event', 'context']),
  });
}
