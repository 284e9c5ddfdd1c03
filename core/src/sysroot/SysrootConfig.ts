import fs from 'node:fs';
import * as v from 'valibot';
import { BootloaderSchema, RecordSchema, StorageSchema, strictObject } from '../config/configSchema';
import { formatSchemaIssue } from '../config/formatSchemaIssue';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { writeFileAtomic } from './writeFileAtomic';

/**
 * The sysroot's own config, `SYSROOT/arbor/config.json`. `arbor sysroot init` records the
 * bootloader there (docs/command-contract.md), and every later command on that sysroot follows the record
 * rather than whatever config file happens to be found: the disk knows how it boots.
 */
export const SysrootConfigSchema = strictObject({
  bootloader: BootloaderSchema,
  /** Options for the bootloader writer, e.g. GRUB's mode. */
  bootloaderOptions: v.optional(RecordSchema),
  /** The storage strategy deploy and cleanup use; `hardlink` when absent. */
  storage: v.optional(StorageSchema),
  /** The EFI system partition for systemd-boot; `SYSROOT/boot/efi` when absent. */
  esp: v.optional(v.pipe(v.string(), v.minLength(1))),
  /**
   * Retention: how many unpinned deployments of a stateroot a deploy keeps besides the new
   * default (1, the rollback, when absent; docs/sysroot.md). `--keep N` overrides it.
   */
  keep: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
});

export type SysrootConfig = v.InferOutput<typeof SysrootConfigSchema>;

/** Chosen when neither `--bootloader` nor the config names one: entries any BLS loader reads. */
export const DEFAULT_BOOTLOADER = 'bls';

export function readSysrootConfig(file: string): SysrootConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, `Cannot read the sysroot config ${file}: ${(error as Error).message}`);
  }
  const parsed = v.safeParse(SysrootConfigSchema, raw);
  if (!parsed.success) {
    const problem = formatSchemaIssue(parsed.issues[0], SysrootConfigSchema, file);
    throw new ArborError(ErrorCode.SYSROOT_CORRUPT, problem.message, { hint: problem.hint });
  }
  return parsed.output;
}

export function writeSysrootConfig(file: string, config: SysrootConfig): void {
  writeFileAtomic(file, `${JSON.stringify(v.parse(SysrootConfigSchema, config), null, 2)}\n`);
}
