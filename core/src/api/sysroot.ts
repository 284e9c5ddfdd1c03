/**
 * `@arbor/core/sysroot`: the client disk's model, for plugins that read or extend it
 * (rollback and retention policies, bootloader writers, storage strategies).
 */
export { Sysroot } from '../sysroot/Sysroot';
export { SysrootSession, type SysrootOptions } from '../sysroot/SysrootSession';
export { OriginFile } from '../sysroot/OriginFile';
export { readBootState, type BootState } from '../sysroot/BootState';
export { deploymentId, type BootableDeployment } from '../sysroot/Deployment';
export { readOsRelease } from '../sysroot/OsRelease';
export { Kargs } from '../sysroot/Kargs';
export { BootEntry } from '../sysroot/BootEntry';
export { writeFileAtomic, replaceSymlink } from '../sysroot/writeFileAtomic';
export { copyTree, copyEntry, copyMetadata } from '../sysroot/copyTree';
export { BootloaderRegistry, NO_BOOTLOADER } from '../boot/BootloaderRegistry';
export { blsEntry, blsEntryName, writeBlsLoader } from '../boot/BlsLoader';
export type { BootDeployment, BootloaderRequest, BootloaderWriter, DeploymentRef, RollbackRequest, DeployEvent } from '../hooks';
export { KeyFile } from '../sysroot/KeyFile';

// The operations behind the sysroot commands, for tools that drive Arbor without the CLI.
export { initSysroot, type InitSysrootOptions, type InitSysrootResult } from '../sysroot/initSysroot';
export { deploy, type DeployOptions, type DeployResult } from '../sysroot/deploy';
export { upgrade, type UpgradeOptions, type UpgradeResult } from '../sysroot/upgrade';
export { rollback, type RollbackResult } from '../sysroot/rollback';
export { cleanup, type CleanupOptions, type CleanupResult } from '../sysroot/cleanup';
export { rebase, type RebaseOptions, type RebaseResult } from '../sysroot/rebase';
export { planRetention, DEFAULT_KEEP, type RetentionPlan } from '../sysroot/retention';
export { resolveDeployTarget, findVersion, type DeployTarget } from '../sysroot/DeployTarget';
export { diffDeploymentPackages, type DeploymentPackageDiff } from '../sysroot/diffDeploymentPackages';
export { finalize, type FinalizeResult } from '../sysroot/finalize';
export { pinDeployment, type PinResult } from '../sysroot/pinDeployment';
export { editKargs, type KargsEdit, type KargsResult } from '../sysroot/editKargs';
export { status, readStatus, type DeploymentStatus, type SysrootStatus } from '../sysroot/status';
export { prepareEtc } from '../sysroot/etc/prepareEtc';
export { mergeDeploymentEtc } from '../sysroot/etc/mergeDeploymentEtc';
export { seedVar } from '../sysroot/seedVar';
export { findKernel } from '../sysroot/installKernel';
export { formatEtcMerge } from '../sysroot/formatDeployResult';
export { sameInode } from '../fs/sameInode';
