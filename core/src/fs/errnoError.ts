import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { PATH_MAX } from './pathMax';
import { NO_SPACE_HINT } from './systemErrorMessage';

/**
 * Turns the errno errors that a user can cause and fix (a full disk, a path too long, a
 * symlink object with no target) into one-line ArborErrors naming the path and, when known,
 * the object being written. Anything else is returned as it is: a bug should keep its stack.
 */
export function errnoError(error: unknown, target: string, object?: string): Error {
  if (error instanceof ArborError || !(error instanceof Error)) return error as Error;
  const errno = error as NodeJS.ErrnoException;
  const what = object ? `${object} at ${target}` : target;
  switch (errno.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ArborError(ErrorCode.FS_NO_SPACE, `No space left writing ${what} (${errno.code})`, {
        hint: NO_SPACE_HINT,
        cause: error,
      });
    case 'ENAMETOOLONG':
      return new ArborError(ErrorCode.FS_PATH_TOO_LONG, `Cannot write ${what}: a name is longer than 255 bytes or the path longer than PATH_MAX (${PATH_MAX})`, { cause: error });
    case 'ENOENT':
      // symlink(2) refuses an empty target with ENOENT; nothing else here is missing.
      if (errno.syscall === 'symlink') {
        return new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Cannot create the symlink ${what}: its target is empty, which no filesystem can hold`, {
          hint: 'The object is hand-made or damaged; run `arbor fsck`',
          cause: error,
        });
      }
      return error;
    default:
      return error;
  }
}
