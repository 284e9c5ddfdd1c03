import { ArborError } from '../errors/ArborError';
import { BootErrorCode } from './BootErrorCode';

/**
 * A BLS entry file name with systemd's boot counter (Automatic Boot Assessment,
 * systemd.io/AUTOMATIC_BOOT_ASSESSMENT): `ID+LEFT-DONE.conf`, where systemd-boot rewrites
 * LEFT and DONE by renaming the file at every boot attempt, and systemd-bless-boot drops the
 * counter after a good boot. The entry's identity (what `default` in loader.conf matches) is
 * the name without the counter: `ID.conf`.
 */
export interface EntryFileName {
  /** The name without a counter, e.g. `arbor-1a2b3c4d5e6f-2.conf`. */
  id: string;
  /** Tries left, when the name carries a counter. */
  triesLeft?: number;
  /** Tries done so far. */
  triesDone?: number;
}

export function parseEntryFileName(name: string): EntryFileName {
  const match = /^(.*?)(?:\+(\d+)(?:-(\d+))?)?\.conf$/.exec(name);
  if (!match) return { id: name };
  return {
    id: `${match[1]}.conf`,
    ...(match[2] !== undefined ? { triesLeft: Number(match[2]) } : {}),
    ...(match[3] !== undefined ? { triesDone: Number(match[3]) } : {}),
  };
}

/** `ID.conf`, or `ID+TRIES.conf` for a fresh entry under boot counting. */
export function formatEntryFileName(id: string, tries?: number): string {
  if (!id.endsWith('.conf')) throw new Error(`entry id ${id} must end in .conf`);
  return tries === undefined ? id : `${id.slice(0, -'.conf'.length)}+${tries}.conf`;
}

/**
 * Characters a FAT long name may not hold (Microsoft FAT spec, "Long Directory Entries"):
 * control characters and `"*\/:<>?|`. The `+` of a boot counter is allowed in long names.
 */
const FAT_FORBIDDEN = /[\u0000-\u001f"*/:<>?\\|]/;

/**
 * Refuses names a FAT partition cannot hold apart: forbidden characters, a trailing dot or
 * space (FAT strips them), over 255 characters, or two names equal but for case (FAT keeps
 * one directory entry for both, so the second write would replace the first).
 */
export function assertFatNames(names: readonly string[], where: string): void {
  const seen = new Map<string, string>();
  for (const name of names) {
    if (FAT_FORBIDDEN.test(name) || /[. ]$/.test(name) || name.length > 255 || name.length === 0) {
      throw new ArborError(BootErrorCode.NAME_INVALID, `${where}: "${name}" is not a valid FAT file name`, {
        hint: 'Stateroot names and kernel versions end up in file names on the boot partition: keep them to letters, digits, ".", "-" and "_"',
      });
    }
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined && other !== name) {
      throw new ArborError(BootErrorCode.NAME_INVALID, `${where}: "${name}" and "${other}" differ only in case, and FAT folds case`);
    }
    seen.set(folded, name);
  }
}
