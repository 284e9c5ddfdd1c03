import fs from 'node:fs';
import path from 'node:path';
import { copyEntry, copyMetadata, isRealDirectory, pathBeneath } from '@arbor/core';
import { TreeErrorCode, treeError } from './TreeError';

/**
 * Lays the directory `source` over the staging `tree`: files and symlinks are copied (links as
 * links, never followed), directories merged, and every entry keeps its owner, mode and xattrs
 * (copyMetadata). An entry already in the tree that is not a directory is replaced, as a later
 * layer replaces an earlier one. Device nodes, fifos and sockets are refused: the store holds
 * none. Returns the number of entries laid down.
 */
export function copyDirectory(source: string, tree: string): number {
  let entries = 0;
  const visit = (relative: string, stat: fs.Stats): void => {
    const from = relative ? path.join(source, relative) : source;
    const to = relative ? pathBeneath(tree, relative) : tree;
    if (!isRealDirectory(to)) {
      fs.rmSync(to, { force: true });
      fs.mkdirSync(to, { mode: 0o700 });
    }
    for (const name of fs.readdirSync(from).sort()) {
      const child = relative ? `${relative}/${name}` : name;
      const childStat = fs.lstatSync(path.join(source, child));
      entries++;
      if (childStat.isDirectory()) {
        visit(child, childStat);
      } else if (childStat.isFile() || childStat.isSymbolicLink()) {
        const target = pathBeneath(tree, child);
        fs.rmSync(target, { recursive: true, force: true });
        copyEntry(path.join(source, child), target, childStat);
      } else {
        throw treeError(TreeErrorCode.SPECIAL_FILE, source, `${child} is a device node, fifo or socket, which a tree cannot hold`, {
          hint: 'Remove it from the source; devices come from devtmpfs at boot',
        });
      }
    }
    // Last, so a read-only directory could still be filled.
    copyMetadata(from, to, stat);
  };
  visit('', fs.lstatSync(source));
  return entries;
}
