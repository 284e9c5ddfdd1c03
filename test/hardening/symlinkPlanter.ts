import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Plants hostile symlinks where a tree's directories should be, and guards a canary outside
 * the tree: the test helper of issue 19. A canary is a directory outside every sysroot that
 * mirrors the paths an operation touches, so that any write that follows a link into it finds
 * real files to delete, overwrite or chmod, and its fingerprint changes.
 */
export class Canary {
  private readonly before: string;

  constructor(readonly dir: string, relativePaths: string[]) {
    for (const relative of relativePaths) {
      const file = path.join(dir, relative, 'canary-file');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, `canary ${relative}\n`, { mode: 0o644 });
    }
    this.before = fingerprint(dir);
  }

  /** Asserts that nothing in the canary was created, deleted, changed or re-moded. */
  assertUntouched(what: string): void {
    assert.equal(fingerprint(this.dir), this.before, `${what}: the canary outside the sysroot changed`);
  }
}

/** The forms a link out of a tree takes: absolute, and `../` far enough to climb out of anything. */
export function linkTargets(canary: string): Array<{ style: string; target: string }> {
  return [
    { style: 'absolute', target: canary },
    { style: 'relative', target: `${'../'.repeat(40)}${canary.slice(1)}` },
  ];
}

/** Every directory prefix of every path: where a link can stand in for a directory. */
export function prefixesOf(paths: string[]): string[] {
  const found = new Set<string>();
  for (const relative of paths) {
    const parts = relative.split('/');
    for (let length = 1; length <= parts.length; length++) found.add(parts.slice(0, length).join('/'));
  }
  return [...found].sort();
}

/** Replaces `root/relative` (whatever it is) with a symlink to `target`, creating its parents. */
export function plantSymlink(root: string, relative: string, target: string): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { recursive: true, force: true });
  fs.symlinkSync(target, file);
}

/** Type, mode, owner and content (or link target) of every entry below `dir`, hashed. */
export function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (relative: string): void => {
    const full = path.join(dir, relative);
    const stat = fs.lstatSync(full);
    hash.update(`${relative}\0${stat.mode}\0${stat.uid}:${stat.gid}\0`);
    if (stat.isDirectory()) for (const name of fs.readdirSync(full).sort()) walk(path.join(relative, name));
    else if (stat.isSymbolicLink()) hash.update(fs.readlinkSync(full));
    else if (stat.isFile()) hash.update(fs.readFileSync(full));
  };
  walk('');
  return hash.digest('hex');
}
