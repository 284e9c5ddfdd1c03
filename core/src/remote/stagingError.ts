import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exhausted',
  ENAMETOOLONG: 'a path is too long',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the filesystem is read-only',
  EMFILE: 'too many open files',
  EIO: 'an I/O error',
};

/**
 * A filesystem failure while staging what a pull fetched, as one ArborError that says what was
 * being stored and where (Node's errno text names neither the object nor the remote). Anything
 * already an ArborError, or without an errno code, is returned as it is.
 */
export function stagingError(error: unknown, what: string, dir?: string): unknown {
  if (error instanceof ArborError) return error;
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  const where = path ? ` (${syscall ?? 'writing'} ${path})` : dir ? ` (writing in ${dir})` : '';
  return new ArborError(ErrorCode.PULL_STAGING_FAILED, `${what}: cannot stage it: ${REASONS[code] ?? code}${where}, ${code}`, {
    hint: code === 'ENOSPC' || code === 'EDQUOT' ? 'Free space in the repo\'s filesystem (its tmp/ holds what a pull stages), then pull again: it resumes' : undefined,
    cause: error,
  });
}
