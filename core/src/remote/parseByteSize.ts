import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `512M`, `4G`, `1.5T` or plain bytes (binary units, as formatBytes prints them) to a byte count. */
export function parseByteSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(text.trim());
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ArborError(ErrorCode.USAGE, `${flag} ${text} is not a size`, { hint: 'Give bytes or a size such as 512M, 4G or 1T' });
  }
  return bytes;
}
