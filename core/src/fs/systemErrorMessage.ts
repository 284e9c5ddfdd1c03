import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { PATH_MAX } from './pathMax';

/** What a full disk's error says to do, wherever it is met. */
export const NO_SPACE_HINT = 'Free space on that filesystem (`arbor cleanup` and `arbor prune` remove old deployments and objects), then retry';

/** What a user reads for the errno values their own environment causes. */
const REASONS: Record<string, { code: string; reason: string; hint?: string }> = {
  ENOSPC: { code: ErrorCode.FS_NO_SPACE, reason: 'no space left on the filesystem', hint: NO_SPACE_HINT },
  EDQUOT: { code: ErrorCode.FS_NO_SPACE, reason: 'the disk quota is used up', hint: 'Free space within the quota, then retry' },
  ENAMETOOLONG: { code: ErrorCode.FS_PATH_TOO_LONG, reason: `a name is longer than 255 bytes or the path longer than PATH_MAX (${PATH_MAX})`, hint: 'Use a shorter path' },
  EACCES: { code: ErrorCode.FS_PERMISSION_DENIED, reason: 'permission denied', hint: 'Run as a user who may write there (root, for a system sysroot or repo)' },
  EPERM: { code: ErrorCode.FS_PERMISSION_DENIED, reason: 'operation not permitted', hint: 'Run as root, or on a filesystem that allows it' },
  EROFS: { code: ErrorCode.FS_READ_ONLY, reason: 'the filesystem is read-only', hint: 'Remount it read-write, then retry' },
  ENOTDIR: { code: ErrorCode.FS_FAILED, reason: 'a component of the path is not a directory' },
  EISDIR: { code: ErrorCode.FS_FAILED, reason: 'it is a directory' },
  EEXIST: { code: ErrorCode.FS_FAILED, reason: 'it already exists' },
  ELOOP: { code: ErrorCode.FS_FAILED, reason: 'too many levels of symbolic links' },
  ENOENT: { code: ErrorCode.FS_FAILED, reason: 'no such file or directory' },
  EMFILE: { code: ErrorCode.FS_FAILED, reason: 'too many open files', hint: 'Raise the open-file limit (ulimit -n), then retry' },
  EIO: { code: ErrorCode.FS_FAILED, reason: 'an I/O error', hint: 'Check the disk (dmesg, fsck)' },
};

/**
 * The last resort for a system error that reached the CLI without an ArborError around it: one
 * line naming the operation and the path, with a code and a hint, for the errno values a
 * user's environment causes (a full disk, a read-only mount, a path too long). Anything else
 * (no errno, no path) is returned as it is: a bug should keep its own text and stack.
 */
export function systemErrorAsArborError(error: Error): Error {
  const errno = error as NodeJS.ErrnoException & { dest?: string };
  const known = typeof errno.code === 'string' ? REASONS[errno.code] : undefined;
  if (!known || typeof errno.path !== 'string') return error;
  const target = errno.dest ? `${errno.path} -> ${errno.dest}` : errno.path;
  return new ArborError(known.code, `Cannot ${errno.syscall ?? 'access'} ${target}: ${known.reason} (${errno.code})`, {
    ...(known.hint ? { hint: known.hint } : {}),
    cause: error,
  });
}
