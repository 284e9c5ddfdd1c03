import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one missing component at a time, so that a failure carries the real errno.
 * Node's `mkdirSync(dir, { recursive: true })` reports any failure on a missing component as
 * ENOENT: a read-only /boot or ESP (EROFS), a full one (ENOSPC) or a denied one (EACCES)
 * all read "no such file or directory", and the hint for the real cause is lost.
 */
export function makeDirectories(dir: string, mode = 0o755): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!isDirectory(current)) {
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const component of missing.reverse()) {
    try {
      fs.mkdirSync(component, { mode });
    } catch (error) {
      // Made by another writer in the meantime: as good as made here.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && isDirectory(component)) continue;
      throw error;
    }
  }
}

function isDirectory(dir: string): boolean {
  try {
    return fs.statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
