import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readXattrList } from '@arbor/core';

/**
 * SHA-256 over everything a commit of `root` would record: for each entry in sorted order, its
 * relative path, type, mode, owner, symlink target, xattrs and content. Times are left out,
 * since the store keeps none. Two directories with the same digest commit to the same tree.
 */
export function digestDirectory(root: string): string {
  const hash = crypto.createHash('sha256');
  const visit = (relative: string): void => {
    const full = relative ? path.join(root, relative) : root;
    const stat = fs.lstatSync(full);
    hash.update(`${relative}\0${stat.mode}\0${stat.uid}\0${stat.gid}\0`);
    for (const [name, value] of readXattrList(full)) hash.update(`x\0${name}\0${value.length}\0`).update(value);
    if (stat.isSymbolicLink()) {
      hash.update(`l\0${fs.readlinkSync(full)}\0`);
    } else if (stat.isFile()) {
      hash.update(`f\0${stat.size}\0`);
      const fd = fs.openSync(full, 'r');
      try {
        const buffer = Buffer.allocUnsafe(1 << 20);
        for (let read; (read = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, read));
      } finally {
        fs.closeSync(fd);
      }
    } else if (stat.isDirectory()) {
      for (const name of fs.readdirSync(full).sort()) visit(relative ? `${relative}/${name}` : name);
      hash.update('d\0end\0');
    }
  };
  visit('');
  return hash.digest('hex');
}
