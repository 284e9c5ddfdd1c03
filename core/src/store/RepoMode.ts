/**
 * How a repo stores file objects (docs/format.md §4):
 *   bare    the object is the file itself, with its real owner, mode and xattrs (needs root);
 *   user    the object is a file owned by the user; the true metadata is the canonical file
 *           header kept in the `user.arbor.meta` xattr (symlinks become empty regular files);
 *   archive the object is `header || codec || payload`, servable as-is over static HTTP.
 */
export type RepoMode = 'bare' | 'user' | 'archive';

export const REPO_MODES: readonly RepoMode[] = ['bare', 'user', 'archive'];

/** The xattr that holds a user-mode object's canonical file header. */
export const USER_META_XATTR = 'user.arbor.meta';

/** Permission bits of a user-mode object: never setuid/setgid/sticky, always readable by us. */
export function userModeObjectPermissions(mode: number): number {
  return (mode & 0o755) | 0o400;
}

/** File objects are `.filez` in archive repos and `.file` otherwise. */
export function fileObjectKind(mode: RepoMode): 'file' | 'filez' {
  return mode === 'archive' ? 'filez' : 'file';
}
