import { ArborError } from '@arbor/core';

/** Error codes of the tree source. They are part of the CLI contract: never renamed. */
export const TreeErrorCode = {
  /** The directory or tarball a treefile repo names is missing or is neither. */
  SOURCE_INVALID: 'ARBOR_TREE_SOURCE_INVALID',
  /** An entry whose path is absolute or has `..`, or that would be written through a symlink. */
  PATH_UNSAFE: 'ARBOR_TREE_PATH_UNSAFE',
  /** A hardlink or symlink whose target lies outside the tree. */
  LINK_ESCAPES: 'ARBOR_TREE_LINK_ESCAPES',
  /** A device node, fifo or socket: the store holds none. */
  SPECIAL_FILE: 'ARBOR_TREE_SPECIAL_FILE',
  /** An archive that is truncated, corrupt, or whose entry data disagrees with its header's size. */
  ARCHIVE_INVALID: 'ARBOR_TREE_ARCHIVE_INVALID',
  /** An xattr the archive carries in a form that cannot be read back byte for byte. */
  XATTR_UNREADABLE: 'ARBOR_TREE_XATTR_UNREADABLE',
} as const;

export type TreeErrorCodeValue = (typeof TreeErrorCode)[keyof typeof TreeErrorCode];

/** An ArborError whose message starts with the source (tarball or directory) at fault. */
export function treeError(code: TreeErrorCodeValue, source: string, message: string, options: { hint?: string; cause?: unknown } = {}): ArborError {
  return new ArborError(code, `${source}: ${message}`, options);
}
