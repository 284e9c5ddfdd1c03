import fs from 'node:fs';

/** Whether two paths name one file or directory (same device and inode); false if either is missing. */
export function sameInode(a: string, b: string): boolean {
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
