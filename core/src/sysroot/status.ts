import { readBootState } from './BootState';
import { Repo } from '../store/Repo';
import { findBootedDeployment } from './findBootedDeployment';
import { describeLayers, type LayerStatus } from './layer/layerStatus';
import { OriginFile } from './OriginFile';
import { readFinalizeFailure, readStaged, type FinalizeFailure } from './StagedDeployment';
import { sameDeployment, type BootableDeployment } from './Deployment';
import type { Sysroot } from './Sysroot';
import { SysrootSession, type SysrootOptions } from './SysrootSession';

/** One deployment as `arbor status --json` shows it (docs/command-contract.md), plus a few extra fields. */
export interface DeploymentStatus extends LayerStatus {
  /** Place in the boot order, 0 = default; null for a staged deployment (not in it yet). */
  index: number | null;
  stateroot: string;
  commit: string;
  serial: number;
  default: boolean;
  staged: boolean;
  pinned: boolean;
  booted: boolean;
  version: string | null;
  /** The refspec it follows. */
  origin: string;
  kargs: string[];
  path: string;
  bootcsum: string;
  kernelVersion: string;
}

export interface SysrootStatus {
  sysroot: string;
  bootloader: string;
  /** The live boot version B, null before the first deploy. */
  bootVersion: number | null;
  /** The boot order, then the staged deployment if there is one. */
  deployments: DeploymentStatus[];
  /** Set when the last `arbor finalize` failed; the previous default kept booting. */
  finalizeFailure?: FinalizeFailure;
}

/** `arbor status`; it takes no lock, since everything it reads changes by atomic renames. */
export async function status(options: SysrootOptions): Promise<SysrootStatus> {
  return SysrootSession.run({ ...options, lock: false, purpose: 'status' }, async ({ sysroot }) => readStatus(sysroot));
}

/** Reads the sysroot's deployments: the boot order, the staged one, and a failed finalize. */
export function readStatus(sysroot: Sysroot): SysrootStatus {
  const state = readBootState(sysroot);
  const booted = findBootedDeployment(sysroot, state.deployments);
  let repo: Repo | undefined;
  const openRepo = (): Repo => (repo ??= Repo.open(sysroot.repoPath));
  const deployments = state.deployments.map((deployment) =>
    describe(sysroot, openRepo, deployment, {
      index: deployment.index,
      staged: false,
      booted: booted !== undefined && sameDeployment(booted, deployment),
    }));
  const staged = readStaged(sysroot);
  const waiting = staged && !state.deployments.some((deployment) => sameDeployment(deployment, staged));
  if (waiting) deployments.push(describe(sysroot, openRepo, staged, { index: null, staged: true, booted: false }));
  const finalizeFailure = readFinalizeFailure(sysroot);
  return {
    sysroot: sysroot.path,
    bootloader: sysroot.config.bootloader,
    bootVersion: state.live ? state.bootVersion : null,
    deployments,
    ...(finalizeFailure ? { finalizeFailure } : {}),
  };
}

function describe(
  sysroot: Sysroot,
  repo: () => Repo,
  deployment: BootableDeployment & { version?: string },
  place: Pick<DeploymentStatus, 'index' | 'staged' | 'booted'>,
): DeploymentStatus {
  const origin = OriginFile.read(sysroot.originPath(deployment));
  return {
    index: place.index,
    stateroot: deployment.stateroot,
    commit: deployment.commit,
    serial: deployment.serial,
    default: place.index === 0,
    staged: place.staged,
    pinned: origin.pinned,
    booted: place.booted,
    version: deployment.version ?? null,
    origin: origin.refspec,
    kargs: origin.kargs,
    path: sysroot.deploymentPath(deployment),
    bootcsum: deployment.bootcsum,
    kernelVersion: deployment.kernelVersion,
    ...describeLayers(origin, deployment.commit, repo),
  };
}
