import {
  AsyncSeriesBailHook,
  AsyncSeriesHook,
  AsyncSeriesWaterfallHook,
  HookMap,
} from 'tapable';
import type { HookContext } from './HookContext';

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
  [extra: string]: unknown;
}

/** What a treefile asks a source hook to open, keyed by kind (`rpm-md`, ...). */
export interface SourceSpec {
  /** The name the treefile gives it, or its URL. */
  id: string;
  /** A base URL (`http(s)://`, `file://`) or a local directory. */
  url: string;
  cacheDir?: string;
}

/** An opened package source: lists what it offers and downloads a package into the cache. */
export interface PackageSource {
  id: string;
  packages(ctx: HookContext): Promise<PackageRecord[]>;
  /** Returns the local path of the verified package file. */
  download(pkg: PackageRecord, ctx: HookContext): Promise<string>;
}

/** Threaded through `resolve` taps: the request in, the chosen set out. */
export interface ResolvePlan {
  requested: string[];
  excluded: string[];
  recommends: boolean;
  available: PackageRecord[];
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
}

export interface ComposeTree {
  /** The staging tree. */
  tree: string;
  /** The validated treefile. */
  treefile: Record<string, unknown>;
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

/** A connection to a remote repo, chosen by URL scheme. */
export interface Transport {
  /** Reads `path` (relative to the remote's base URL); `maxBytes` bounds the body. */
  get(path: string, options: { maxBytes?: number; signal?: AbortSignal }): Promise<Buffer>;
  close(): Promise<void>;
}

export interface VerifyRequest {
  remote: string;
  commitId: string;
  /** The commit object's canonical bytes. */
  commit: Buffer;
  /** Detached signatures fetched with the commit (may be empty). */
  signatures: Buffer[];
  /** Remote policy as configured: key files, whether unsigned is allowed. */
  policy: Record<string, unknown>;
}

export interface CheckoutRequest {
  /** The repository (a store `Repo`). */
  repo: unknown;
  /** Root dirtree and dirmeta of what to check out. */
  dirtree: string;
  dirmeta: string;
  dest: string;
  strategy: string;
  union: boolean;
}

export interface CheckoutResult {
  strategy: string;
  files: number;
  directories: number;
}

export interface EtcMergeInput {
  /** The merge deployment's defaults (its usr/etc) and the admin's etc. */
  oldDefaults: string;
  oldEtc: string;
  /** The new deployment's defaults and the etc being built. */
  newDefaults: string;
  newEtc: string;
}

/** The /etc merge result, threaded through `mergeEtc` taps. */
export interface EtcMergePlan {
  modified: string[];
  added: string[];
  removed: string[];
  /** Admin-changed files whose default also changed between the two commits. */
  conflicts: string[];
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
  bootcsum: string;
  kernelVersion: string;
  /** Paths relative to the boot partition root, e.g. `/arbor/os-<csum>/vmlinuz-6.0.0`. */
  linux: string;
  initrd?: string;
  kargs: string[];
  title: string;
  version?: string;
}

export interface BootloaderRequest {
  sysroot: string;
  /** The directory that holds `loader/entries`, `grub2/`, ... usually SYSROOT/boot. */
  bootDir: string;
  deployments: BootDeployment[];
  /** The boot version being written (0 or 1), for writers that keep per-version files. */
  bootVersion: number;
}

export interface RollbackRequest {
  sysroot: string;
  /** Deployment ids in boot order before and after the rollback. */
  before: string[];
  after: string[];
}

export interface DeployEvent {
  sysroot: string;
  stateroot: string;
  commit: string;
  /** The deployment directory, once it exists. */
  path?: string;
  staged: boolean;
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
