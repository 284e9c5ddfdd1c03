import { removeDeployment } from './removeDeployment';
import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { sameDeployment, type BootableDeployment } from './Deployment';
import type { Sysroot } from './Sysroot';
import type { SysrootSession } from './SysrootSession';
import { releaseDeployment } from './DeploymentRefs';
import { writeFileAtomic } from './writeFileAtomic';

/**
 * A deployment made by `deploy --stage`: checked out, with etc/ copied and its kernel in
 * /boot, but not merged and not in the boot order. `arbor finalize` (at shutdown) merges the
 * /etc of that moment and swaps it in. The record is `arbor/staged-deployment.json`.
 */
export interface StagedDeployment extends BootableDeployment {
  refspec: string;
  /** The commit's version, for `status` before the deployment has boot entries. */
  version?: string;
  /** `--no-merge` was given: finalize keeps the new defaults as they are. */
  noMerge: boolean;
  /** `--keep N` given when staging: finalize's retention keeps that many (retention.ts). */
  keep?: number;
  stagedAt: string;
}

/** Left by a finalize that failed; `status` reports it until a deploy or finalize succeeds. */
export interface FinalizeFailure {
  stateroot: string;
  commit: string;
  serial: number;
  failedAt: string;
  code: string;
  message: string;
}

const STAGED_FILE = 'staged-deployment.json';
const FAILURE_FILE = 'finalize-failed.json';

export function readStaged(sysroot: Sysroot): StagedDeployment | undefined {
  return readJson<StagedDeployment>(path.join(sysroot.arborDir, STAGED_FILE));
}

/**
 * The staged deployment still waiting for finalize, for commands that hold the lock. A record
 * whose deployment is already in the boot order is what a finalize interrupted right after its
 * swap leaves behind: the record is dropped, never acted on twice.
 */
export function pendingStaged(sysroot: Sysroot, order: readonly DeploymentRef[]): StagedDeployment | undefined {
  const staged = readStaged(sysroot);
  if (staged && order.some((deployment) => sameDeployment(deployment, staged))) {
    clearStaged(sysroot);
    return undefined;
  }
  return staged;
}

export function writeStaged(sysroot: Sysroot, staged: StagedDeployment): void {
  writeFileAtomic(path.join(sysroot.arborDir, STAGED_FILE), `${JSON.stringify(staged, null, 2)}\n`);
}

export function clearStaged(sysroot: Sysroot): void {
  fs.rmSync(path.join(sysroot.arborDir, STAGED_FILE), { force: true });
}

/** Drops a staged deployment: a new deploy or a rollback replaces it, as in ostree. */
export async function discardStaged(session: SysrootSession, staged: StagedDeployment): Promise<void> {
  clearStaged(session.sysroot);
  await removeDeployment(session, staged);
  releaseDeployment(session.repo, staged);
}

export function readFinalizeFailure(sysroot: Sysroot): FinalizeFailure | undefined {
  return readJson<FinalizeFailure>(path.join(sysroot.arborDir, FAILURE_FILE));
}

export function writeFinalizeFailure(sysroot: Sysroot, failure: FinalizeFailure): void {
  writeFileAtomic(path.join(sysroot.arborDir, FAILURE_FILE), `${JSON.stringify(failure, null, 2)}\n`);
}

export function clearFinalizeFailure(sysroot: Sysroot): void {
  fs.rmSync(path.join(sysroot.arborDir, FAILURE_FILE), { force: true });
}

function readJson<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `Cannot read ${file}: ${(error as Error).message}`);
  }
}
