import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { BootDeployment } from '../hooks';
import type { Sysroot } from './Sysroot';

/**
 * What the sysroot boots, read from the one place a swap changes (docs/sysroot.md):
 *
 *     arbor/boot -> boot.<B>                     the live boot version B, renamed last by a swap
 *     arbor/boot.<B> -> boot.<B>.<S>             the live links, sub-version S
 *     arbor/boot.<B>.<S>/deployments.json        the boot order, as the bootloader got it
 *     arbor/boot.<B>.<S>/<stateroot>/<bootcsum>/<n> -> ../../../deploy/<stateroot>/deploy/<id>
 *
 * The boot order is the core's own record, not parsed back from BLS entries, so it does not
 * depend on which bootloader plugins are installed (with `bootloader: none` there are none).
 */
export interface BootState {
  /** Whether a boot configuration has ever been swapped in. */
  live: boolean;
  /** B: the live boot version, 0 or 1 (0 before the first deploy). */
  bootVersion: number;
  /** S: the live links' sub-version, 0 or 1. */
  subBootVersion: number;
  /** The bootloader the live configuration was written for. */
  bootloader?: string;
  /** The boot order; index 0 is the default deployment. */
  deployments: BootDeployment[];
}

export const BOOT_ORDER_FILE = 'deployments.json';
/** `arbor/boot`: the core's record of the live boot version, on the root filesystem. */
export const LIVE_BOOT_LINK = 'boot';

export interface BootOrderRecord {
  bootloader: string;
  deployments: BootDeployment[];
}

export function readBootState(sysroot: Sysroot): BootState {
  // Sysroots deployed before the record existed: the `bls` swap of boot/loader was the record.
  const recordLink = path.join(sysroot.arborDir, LIVE_BOOT_LINK);
  const loaderLink = fs.lstatSync(recordLink, { throwIfNoEntry: false }) ? recordLink : path.join(sysroot.bootDir, 'loader');
  const loader = readVersionLink(loaderLink, /^(?:loader|boot)\.([01])$/);
  if (loader === undefined) return { live: false, bootVersion: 0, subBootVersion: 0, deployments: [] };
  const linksLink = path.join(sysroot.arborDir, `boot.${loader}`);
  const sub = readVersionLink(linksLink, new RegExp(`^boot\\.${loader}\\.([01])$`));
  if (sub === undefined) {
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `${loaderLink} is live but ${linksLink} is missing`, {
      hint: 'The boot links were removed by hand; deploy again to rewrite them',
    });
  }
  const record = readBootOrder(path.join(sysroot.arborDir, `boot.${loader}.${sub}`, BOOT_ORDER_FILE));
  return { live: true, bootVersion: loader, subBootVersion: sub, bootloader: record.bootloader, deployments: record.deployments };
}

function readBootOrder(file: string): BootOrderRecord {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as BootOrderRecord;
    if (!Array.isArray(record.deployments)) throw new Error('no "deployments" list');
    return record;
  } catch (error) {
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `Cannot read the boot order ${file}: ${(error as Error).message}`);
  }
}

/** The digit in a `name.<0|1>` symlink's target, or undefined when the link does not exist. */
function readVersionLink(link: string, pattern: RegExp): number | undefined {
  let target: string;
  try {
    target = fs.readlinkSync(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EINVAL') {
      throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `${link} is not a symlink`, {
        hint: 'Arbor swaps boot versions by replacing this symlink; move the directory aside',
      });
    }
    throw error;
  }
  const match = pattern.exec(target);
  if (!match) throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `${link} points at "${target}", not at a boot version`);
  return Number(match[1]);
}

/** The boot order recorded for boot version B (through its `arbor/boot.<B>` link), if whole. */
export function readBootOrderOf(sysroot: Sysroot, bootVersion: number): BootOrderRecord | undefined {
  try {
    return readBootOrder(path.join(sysroot.arborDir, `boot.${bootVersion}`, BOOT_ORDER_FILE));
  } catch {
    return undefined;
  }
}
