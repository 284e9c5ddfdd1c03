import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import type { HookContext } from '../HookContext';
import type { BootDeployment } from '../hooks';
import { fsyncDir } from '../store/RefStore';
import { syncFilesystem } from '../fs/syncFilesystem';
import { BOOT_ORDER_FILE, LIVE_BOOT_LINK, readBootOrderOf, readBootState, type BootOrderRecord, type BootState } from './BootState';
import { deploymentId, type BootableDeployment } from './Deployment';
import { describeBootDeployments, sameBootEntries } from './describeBootDeployments';
import type { Sysroot } from './Sysroot';
import { replaceSymlink } from './writeFileAtomic';

export interface SwapBootOrderOptions {
  sysroot: Sysroot;
  arbor: Arbor;
  context: HookContext;
  /** The new boot order, default first. Every deployment in it must be complete. */
  order: readonly BootableDeployment[];
  versionOf(commit: string): string | undefined;
}

/**
 * Makes `order` the boot order with one atomic rename (docs/sysroot.md). The new version
 * is written beside the live one, which nothing touches until the final rename; a crash at
 * any point before it leaves the old configuration booting, after it the new one.
 *
 * - When the entries change, B flips: links go to `arbor/boot.<B'>.0`, then the sysroot's
 *   bootloader writer writes its configuration for B' and makes it live (each writer says how,
 *   and whether atomically), and last the core renames `arbor/boot -> boot.<B'>` over the old
 *   record. A crash before the writer's swap boots the old order; between it and the record,
 *   the new order boots and the next deploy or cleanup writes a fresh version from the record.
 * - When the entries would come out byte-identical (the same kernels, kargs and titles, e.g.
 *   a re-deploy of a commit), only the links change: S flips and `arbor/boot.<B>` is renamed.
 */
export async function swapBootOrder(options: SwapBootOrderOptions): Promise<BootState> {
  const { sysroot, arbor, context } = options;
  const current = readBootState(sysroot);
  const bootloader = sysroot.config.bootloader;
  const sameVersion = describeBootDeployments(options.order, { ...options, bootVersion: current.bootVersion });
  if (current.live && current.bootloader === bootloader && sameBootEntries(sameVersion, current.deployments)) {
    const sub = 1 - current.subBootVersion;
    writeLinks(sysroot, current.bootVersion, sub, { bootloader, deployments: sameVersion });
    syncFilesystem(sysroot.arborDir);
    replaceSymlink(`boot.${current.bootVersion}.${sub}`, path.join(sysroot.arborDir, `boot.${current.bootVersion}`));
    return { live: true, bootVersion: current.bootVersion, subBootVersion: sub, bootloader, deployments: sameVersion };
  }

  const bootVersion = current.live ? 1 - current.bootVersion : 0;
  const deployments = describeBootDeployments(options.order, { ...options, bootVersion });
  for (const sub of [0, 1]) fs.rmSync(path.join(sysroot.arborDir, `boot.${bootVersion}.${sub}`), { recursive: true, force: true });
  writeLinks(sysroot, bootVersion, 0, { bootloader, deployments });
  replaceSymlink(`boot.${bootVersion}.0`, path.join(sysroot.arborDir, `boot.${bootVersion}`));
  // The links every new entry's `arbor=` names must be on disk before a writer makes them live,
  // and so must the note that a swap to B' is under way (see recoverInterruptedSwap).
  replaceSymlink(`boot.${bootVersion}`, path.join(sysroot.arborDir, PENDING_BOOT_LINK));
  syncFilesystem(sysroot.arborDir);
  try {
    await writeAndRecord(sysroot, arbor, context, bootVersion, deployments);
  } catch (error) {
    await restoreLiveVersion(sysroot, arbor, context, current);
    throw error;
  }
  return { live: true, bootVersion, subBootVersion: 0, bootloader, deployments };
}

/**
 * A writer that failed (rather than being killed) may have made B' live before its error, so
 * the version the record names is written again and made live, and the pending note goes: the
 * caller is about to delete the deployment only B' named. When that write fails too, the note
 * stays, the next command finishes the swap to B', and `pendingDeployments` keeps what it needs.
 */
async function restoreLiveVersion(sysroot: Sysroot, arbor: Arbor, context: HookContext, live: BootState): Promise<void> {
  try {
    if (live.live) {
      await arbor.bootloaders.write(
        {
          sysroot: sysroot.path,
          bootloader: sysroot.config.bootloader,
          bootDir: sysroot.bootDir,
          esp: sysroot.espPath,
          bootVersion: live.bootVersion,
          deployments: live.deployments,
          options: sysroot.config.bootloaderOptions ?? {},
        },
        context,
      );
    }
    fs.rmSync(path.join(sysroot.arborDir, PENDING_BOOT_LINK), { force: true });
    fsyncDir(sysroot.arborDir);
  } catch (error) {
    context.logger.warn(`Could not restore boot version ${live.bootVersion} after the failed swap: ${(error as Error).message}`);
  }
}

/** The deployments a swap still under way names (see recoverInterruptedSwap): they must stay. */
export function pendingDeployments(sysroot: Sysroot): BootDeployment[] {
  let target: string;
  try {
    target = fs.readlinkSync(path.join(sysroot.arborDir, PENDING_BOOT_LINK));
  } catch {
    return [];
  }
  const match = /^boot\.([01])$/.exec(target);
  return (match && readBootOrderOf(sysroot, Number(match[1]))?.deployments) || [];
}

/** `arbor/boot.pending -> boot.<B'>`: a swap to B' started and its record may not have followed. */
const PENDING_BOOT_LINK = 'boot.pending';

/**
 * The writer makes B' live, then the core's record follows and the pending note goes. A kill
 * between the two would leave the bootloader on B' and the record on B, and a cleanup trusting
 * the record would delete what now boots; the note lets the next command finish the swap.
 */
async function writeAndRecord(sysroot: Sysroot, arbor: Arbor, context: HookContext, bootVersion: number, deployments: BootDeployment[]): Promise<void> {
  await arbor.bootloaders.write(
    {
      sysroot: sysroot.path,
      bootloader: sysroot.config.bootloader,
      bootDir: sysroot.bootDir,
      esp: sysroot.espPath,
      bootVersion,
      deployments,
      options: sysroot.config.bootloaderOptions ?? {},
    },
    context,
  );
  replaceSymlink(`boot.${bootVersion}`, path.join(sysroot.arborDir, LIVE_BOOT_LINK));
  fs.rmSync(path.join(sysroot.arborDir, PENDING_BOOT_LINK), { force: true });
  fsyncDir(sysroot.arborDir);
}

/**
 * Run under the sysroot lock before any command changes the sysroot: a swap that was killed
 * after its links were synced is finished by writing that version again (writers are
 * idempotent) and recording it. Its deployments are complete, since a swap starts only then.
 */
export async function recoverInterruptedSwap(sysroot: Sysroot, arbor: Arbor, context: HookContext): Promise<boolean> {
  const pending = path.join(sysroot.arborDir, PENDING_BOOT_LINK);
  let target: string;
  try {
    target = fs.readlinkSync(pending);
  } catch {
    return false;
  }
  const match = /^boot\.([01])$/.exec(target);
  const record = match ? readBootOrderOf(sysroot, Number(match[1])) : undefined;
  if (!match || !record) {
    fs.rmSync(pending, { force: true });
    return false;
  }
  context.logger.info(`Finishing a boot configuration swap that was interrupted (boot version ${match[1]})`);
  await writeAndRecord(sysroot, arbor, context, Number(match[1]), record.deployments);
  return true;
}

/** `arbor/boot.<B>.<S>`: the boot order record and one link per deployment. */
function writeLinks(sysroot: Sysroot, bootVersion: number, sub: number, record: BootOrderRecord): void {
  const dir = path.join(sysroot.arborDir, `boot.${bootVersion}.${sub}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const deployment of record.deployments) {
    const link = path.join(dir, path.relative(`/arbor/boot.${bootVersion}`, deployment.bootLink));
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join('..', '..', '..', 'deploy', deployment.stateroot, 'deploy', deploymentId(deployment)), link);
  }
  fs.writeFileSync(path.join(dir, BOOT_ORDER_FILE), `${JSON.stringify(record, null, 2)}\n`);
}
