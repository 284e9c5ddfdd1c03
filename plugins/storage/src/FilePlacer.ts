import type { FileMeta } from '@arbor/core';

/**
 * Puts one file object at a path of the checkout. TreeWriter walks the dirtrees, validates
 * names and makes directories; a placer only decides how a file's bytes and metadata arrive.
 */
export interface FilePlacer {
  /** The strategy name reported in the result (`hardlink`, `reflink`, `copy`). */
  readonly strategy: string;
  /**
   * Creates `dest` (a latin1 byte-string path that does not exist) as the file object `id`.
   * Returns true when bytes were copied, false when linked.
   */
  place(id: string, dest: string): boolean;
  /** Metadata of a file object, when the placer had to read it. */
  readonly metaCache?: Map<string, FileMeta>;
}
