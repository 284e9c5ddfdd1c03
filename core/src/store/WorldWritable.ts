import { PERMISSION_BITS, S_IFMT, S_IFREG } from './FileHeader';
import type { RepoMode } from './RepoMode';

/** The `o+w` permission bit. */
export const WORLD_WRITABLE = 0o002;

/**
 * Whether a file object of `mode` may not be stored in a repo of `repoMode`: a regular file any
 * user could write, in a bare repo, whose objects keep their modes and are hardlinked into every
 * checkout and deployment (docs/format.md §4.1). A user repo stores no `o+w` on disk, and an
 * archive repo's objects are never linked, so both may hold such a file's object.
 */
export function isUnsafeWorldWritable(mode: number, repoMode: RepoMode): boolean {
  return repoMode === 'bare' && (mode & S_IFMT) === S_IFREG && (mode & WORLD_WRITABLE) !== 0;
}

/** The mode as `ls -l` users read permission bits: four octal digits. */
export function octalPermissions(mode: number): string {
  return (mode & PERMISSION_BITS).toString(8).padStart(4, '0');
}
