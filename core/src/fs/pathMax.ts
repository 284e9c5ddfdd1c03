import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * Linux's PATH_MAX (limits.h): 4096 bytes including the terminating NUL, so a path of 4096
 * bytes or more cannot be passed to any syscall. A tree whose paths are longer cannot be
 * checked out or deployed, so commit refuses to make one, and checkout and fsck refuse and
 * report one (a hand-made or hostile repo can hold one: trees are just objects).
 */
export const PATH_MAX = 4096;

/** True when `bytePath` (a latin1 byte string, or a length in bytes) does not fit in PATH_MAX. */
export function exceedsPathMax(bytePath: string | number): boolean {
  return (typeof bytePath === 'number' ? bytePath : bytePath.length) >= PATH_MAX;
}

/** ARBOR_FS_PATH_TOO_LONG naming the path (its start and its length; the whole would be unreadable). */
export function pathTooLong(displayPath: string, bytes: number, where: string): ArborError {
  const shown = displayPath.length > 120 ? `${displayPath.slice(0, 120)}...` : displayPath;
  return new ArborError(ErrorCode.FS_PATH_TOO_LONG, `${where} holds a path of ${bytes} bytes, longer than PATH_MAX (${PATH_MAX}): ${shown}`, {
    hint: 'No filesystem call can reach such a path; the tree cannot be committed or checked out',
  });
}
