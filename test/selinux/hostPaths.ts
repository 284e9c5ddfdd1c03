import fs from 'node:fs';
import type { LabelQuery } from './matchpathconOracle';

const S_IFMT = 0o170000;

/**
 * Every path under the given host directories with its file type, as latin1 byte strings,
 * without following symlinks. Paths that are not valid UTF-8 are left out (a command line
 * argument cannot carry them to matchpathcon), and so are unreadable directories' contents.
 */
export function hostPaths(roots: string[]): LabelQuery[] {
  const queries: LabelQuery[] = [];
  const walk = (dir: Buffer): void => {
    let names: Buffer[];
    try {
      names = fs.readdirSync(dir, { encoding: 'buffer' });
    } catch {
      return;
    }
    for (const name of names) {
      const full = Buffer.concat([dir, Buffer.from('/'), name]);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(full);
      } catch {
        continue;
      }
      if (Buffer.from(full.toString('utf8'), 'utf8').equals(full)) queries.push({ path: full.toString('latin1'), mode: stat.mode & S_IFMT });
      if (stat.isDirectory()) walk(full);
    }
  };
  for (const root of roots) {
    const stat = fs.lstatSync(root);
    queries.push({ path: root, mode: stat.mode & S_IFMT });
    walk(Buffer.from(root));
  }
  return queries;
}
