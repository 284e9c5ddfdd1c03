import fs from 'node:fs';
import path from 'node:path';
import { isRealDirectory } from '../fs/SafePath';
import { syncFilesystem } from '../fs/syncFilesystem';
import { copyTree } from './copyTree';
import { fsyncDir } from '../store/RefStore';

/**
 * Seeds the stateroot's shared /var from a deployment's var, only while it is still empty
 * (docs/sysroot.md): after the first deploy, /var belongs to the running system and an
 * upgrade never touches it. The copy is built beside it and renamed over the empty
 * directory, so a crash mid-copy leaves /var empty and the next deploy seeds it again.
 * Returns whether it seeded.
 */
export function seedVar(varDir: string, deployment: string): boolean {
  fs.mkdirSync(varDir, { recursive: true, mode: 0o755 });
  if (fs.readdirSync(varDir).length > 0) return false;
  const source = path.join(deployment, 'var');
  // A commit whose var links elsewhere would seed /var with whatever it points at.
  if (!isRealDirectory(source)) return false;
  let entries: string[];
  try {
    entries = fs.readdirSync(source);
  } catch {
    return false;
  }
  if (entries.length === 0) return false;
  const temp = `${varDir}.seeding`;
  fs.rmSync(temp, { recursive: true, force: true });
  copyTree(source, temp);
  syncFilesystem(temp);
  fs.renameSync(temp, varDir);
  fsyncDir(path.dirname(varDir));
  return true;
}
