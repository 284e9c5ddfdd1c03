import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { formatBytes } from '../formatBytes';

/**
 * The bytes one pull may write into its staging directory. Every write is counted before it
 * happens, so a server cannot fill the disk: the pull stops with one clear line instead of
 * ENOSPC somewhere else. The limit is the caller's (`--max-temp-size`), else what the
 * filesystem had free when the pull began.
 */
export class TempBudget {
  used = 0;

  constructor(readonly limit: number, private readonly dir: string, private readonly source: string) {}

  /** The filesystem's free space for unprivileged writers, or Infinity where statfs fails. */
  static freeSpace(dir: string): number {
    try {
      const stats = fs.statfsSync(dir);
      return stats.bavail * stats.bsize;
    } catch {
      return Infinity;
    }
  }

  /** Counts `bytes` about to be written; throws when they would pass the limit. */
  add(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw this.exceeded(this.used);
  }

  /** Bytes of a write that failed and whose file was removed. */
  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** Fails before the download when the size index already says the pull cannot fit. */
  check(expected: number): void {
    if (expected > this.limit) throw this.exceeded(expected);
  }

  private exceeded(bytes: number): ArborError {
    return new ArborError(ErrorCode.PULL_TEMP_LIMIT, `Pull from ${this.source} needs more than ${formatBytes(this.limit)} of temp space in ${this.dir} (${formatBytes(bytes)} so far)`, {
      hint: 'Free space there, or raise the limit with --max-temp-size',
    });
  }
}
