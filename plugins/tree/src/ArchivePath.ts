import { TreeErrorCode, treeError } from './TreeError';

/**
 * An archive member's name as a path inside the tree: `./` prefixes and trailing slashes go,
 * and a name that is absolute or has a `..` part is refused (GNU tar strips a leading `/` with
 * a warning; a tree source is an image, so it fails instead). '' is the tree's root.
 */
export function archivePath(archive: string, name: string): string {
  if (name.includes('\0')) throw unsafe(archive, name, 'has a NUL byte');
  if (name.startsWith('/')) throw unsafe(archive, name, 'is an absolute path');
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw unsafe(archive, name, 'has a ".." component');
  return parts.join('/');
}

/**
 * Refuses a symlink whose relative target climbs above the tree's root from where it sits
 * (`usr/bin/x -> ../../../etc`). An absolute target is resolved inside the deployed tree at
 * run time, so it stays; compose never follows either kind.
 */
export function assertSymlinkInside(archive: string, entry: string, target: string): void {
  if (target.startsWith('/')) return;
  let depth = entry.split('/').length - 1;
  for (const part of target.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) throw treeError(TreeErrorCode.LINK_ESCAPES, archive, `symlink ${entry} -> ${target} points outside the tree`);
  }
}

function unsafe(archive: string, name: string, why: string) {
  return treeError(TreeErrorCode.PATH_UNSAFE, archive, `entry ${JSON.stringify(name)} ${why}`, {
    hint: 'Make the archive from inside the tree: tar -C ROOT -cf rootfs.tar .',
  });
}
