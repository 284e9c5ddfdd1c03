import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir } from '../store/RefStore';

/**
 * Writes `file` so that a reader, or the next boot after a crash, finds the old content or
 * the new one and never a torn mix: write a temp file beside it, fsync, rename over, then
 * fsync the directory so the rename itself is durable.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(temp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  fsyncDir(dir);
}

/** Points `link` at `target` atomically: a new symlink beside it, renamed over the old one. */
export function replaceSymlink(target: string, link: string): void {
  const temp = path.join(path.dirname(link), `.${path.basename(link)}.${process.pid}.tmp`);
  fs.rmSync(temp, { force: true });
  fs.symlinkSync(target, temp);
  fs.renameSync(temp, link);
  fsyncDir(path.dirname(link));
}
