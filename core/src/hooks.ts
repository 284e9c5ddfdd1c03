import {
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  HookMap,
} from 'tapable';
import type { HookContext } from './HookContext';
import type { Repo } from './store/Repo';
import type { Bootloader } from './config/configSchema';

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
  /** State shared across the packages of one compose (file owners, for conflict checks). */
  state: Record<string, unknown>;
  /**
   * Filled by the install tap: the package's scriptlets. Compose runs them after every package
   * is unpacked (all %pre, then %post, then %posttrans, in install order, as rpm-ostree does),
   * or reports each one it cannot run.
   */
  scriptlets?: Scriptlet[];
}

/** A package scriptlet as rpm stores it: RPMTAG_PREIN/POSTIN/... with its RPMTAG_*PROG. */
export interface Scriptlet {
  /**
   * The spec-file name: `pretrans`, `pre`, `post`, `posttrans` are run by compose (rpm's tag
   * names `prein`/`postin` are accepted too); erase-time ones (`preun`, `postun`, ...) never are.
   */
  name: string;
  /** The interpreter and its arguments, e.g. `['/bin/sh']`; `['<lua>']` for rpm's embedded Lua. */
  interpreter: string[];
  body: string;
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
}

/** File metadata as it will be committed; `label` taps may change it. */
export interface FileMetadata {
  uid: number;
  gid: number;
  mode: number;
  xattrs: Record<string, Buffer>;
}

export interface LabelTarget {
  /** Absolute path inside the tree, starting with `/`. */
  path: string;
  /** The file type bits of the entry (S_IFREG, S_IFDIR, S_IFLNK). */
  type: number;
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

/** How a remote wants what it serves checked, as `arbor remote add` recorded it. */
export interface RemotePolicy {
  /** Added with `--no-verify`: unsigned content is accepted (with a warning). */
  noVerify: boolean;
  /** Trusted public keys, each `{ type, key }` with `key` in the scheme's text form (PEM for ed25519). */
  keys: { type: string; key: string }[];
}

export interface VerifyRequest {
  remote: string;
  /** What is checked: a commit (before any of its tree is fetched) or the remote's summary. */
  kind: 'commit' | 'summary';
  /** The commit ID, for kind `commit`. */
  commitId?: string;
  /** The signed bytes: the commit object's canonical bytes (its ID is their BLAKE3), or the summary file as served. */
  data: Buffer;
  /** Detached signatures fetched with it (may be empty). */
  signatures: Signature[];
  policy: RemotePolicy;
  /**
   * Taps that accepted a signature push their name here. Pull fails closed: a remote with keys
   * whose content no tap vouched for is refused, so a missing verifier plugin cannot pass silently.
   */
  verifiedBy: string[];
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
  /** The bootloader recorded in the sysroot's config. */
  bootloader: Bootloader;
  /** SYSROOT/boot: holds `loader`, `arbor/` (kernels) and whatever else a bootloader reads. */
  bootDir: string;
  /**
   * The loader directory being written, `SYSROOT/boot/loader.<bootVersion>`. It is not live yet:
   * after every tap has run, the core swaps `boot/loader` to it with one rename. BLS entries go
   * in `<loaderDir>/entries`.
   */
  loaderDir: string;
  /** The boot version being written (0 or 1); the live one is the other. */
  bootVersion: number;
  deployments: BootDeployment[];
  /** With systemd-boot: the EFI system partition (the config's `esp`, else SYSROOT/boot/efi). */
  esp?: string;
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
  /**
   * The boot order the core proposes (the rollback deployment first). Taps may reorder it in
   * place, or throw to refuse; it must stay a reordering of `before`.
   */
  after: DeploymentRef[];
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

// ---------------------------------------------------------------- the hooks

export interface ArborHooks {
  source: HookMap<AsyncSeriesBailHook<[SourceSpec, HookContext], PackageSource | undefined>>;
  resolve: AsyncSeriesWaterfallHook<[ResolvePlan, HookContext]>;
  install: AsyncSeriesHook<[InstallRequest, HookContext]>;
  postprocess: AsyncSeriesHook<[ComposeTree, HookContext]>;
  label: AsyncSeriesWaterfallHook<[FileMetadata, LabelTarget, HookContext]>;
  commit: AsyncSeriesWaterfallHook<[CommitMetadata, HookContext]>;
  fetch: HookMap<AsyncSeriesBailHook<[FetchRequest, HookContext], Transport | undefined>>;
  verify: AsyncSeriesHook<[VerifyRequest, HookContext]>;
  checkout: AsyncSeriesBailHook<[CheckoutRequest, HookContext], CheckoutResult | undefined>;
  mergeEtc: AsyncSeriesWaterfallHook<[EtcMergePlan, EtcMergeInput, HookContext]>;
  bootloader: AsyncSeriesHook<[BootloaderRequest, HookContext]>;
  rollback: AsyncSeriesHook<[RollbackRequest, HookContext]>;
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
  fetch: 'fetch',
  verify: 'verification',
  checkout: 'checkout',
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
    install: new AsyncSeriesHook<[InstallRequest, HookContext]>(['request', 'context']),
    postprocess: new AsyncSeriesHook<[ComposeTree, HookContext]>(['compose', 'context']),
    label: new AsyncSeriesWaterfallHook<[FileMetadata, LabelTarget, HookContext]>(['metadata', 'target', 'context']),
    commit: new AsyncSeriesWaterfallHook<[CommitMetadata, HookContext]>(['metadata', 'context']),
    fetch: new HookMap(() => new AsyncSeriesBailHook<[FetchRequest, HookContext], Transport | undefined>(['request', 'context'])),
    verify: new AsyncSeriesHook<[VerifyRequest, HookContext]>(['request', 'context']),
    checkout: new AsyncSeriesBailHook<[CheckoutRequest, HookContext], CheckoutResult | undefined>(['request', 'context']),
    mergeEtc: new AsyncSeriesWaterfallHook<[EtcMergePlan, EtcMergeInput, HookContext]>(['plan', 'input', 'context']),
    bootloader: new AsyncSeriesHook<[BootloaderRequest, HookContext]>(['request', 'context']),
    rollback: new AsyncSeriesHook<[RollbackRequest, HookContext]>(['request', 'context']),
    deploy: new AsyncSeriesHook<[DeployEvent, HookContext]>(['event', 'context']),
    finalize: new AsyncSeriesHook<[DeployEvent, HookContext]>(['event', 'context']),
  });
}
