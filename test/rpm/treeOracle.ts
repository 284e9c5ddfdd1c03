import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A tree as find(1) and friends see it, for comparing what Arbor installed with what rpm
 * installed: never through our own reader. Each entry: path, type and mode (%M), numeric owner
 * and group, size, symlink target and link count; regular files add their sha256; files with
 * a security.capability xattr add it in hex; hardlinked paths are grouped by inode.
 */
export interface TreeListing {
  entries: string[];
  hardlinkGroups: string[][];
}

export function listTree(root: string): TreeListing {
  const found = execFileSync('find', ['.', '-printf', '%P\\0%M %U:%G %s %l %n %i %y\\0'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  const fields = found.split('\0');
  const digests = sha256All(root);
  const caps = capabilities(root);
  const entries: string[] = [];
  const byInode = new Map<string, string[]>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const [mode, owner, size, ...rest] = fields[i + 1]!.split(' ');
    const type = rest.pop()!;
    const inode = rest.pop()!;
    const links = rest.pop()!;
    const target = rest.join(' ');
    let line = `${name || '.'} ${mode} ${owner} ${type === 'd' ? '-' : size} ${target} ${type === 'd' ? '-' : links}`;
    if (type === 'f') {
      line += ` sha256=${digests.get(name)}`;
      if (caps.has(name)) line += ` caps=${caps.get(name)}`;
      byInode.set(inode, [...(byInode.get(inode) ?? []), name]);
    }
    entries.push(line);
  }
  entries.sort();
  const hardlinkGroups = [...byInode.values()].filter((group) => group.length > 1).map((group) => group.sort()).sort();
  return { entries, hardlinkGroups };
}

/** sha256sum of every regular file, by path relative to the root. */
function sha256All(root: string): Map<string, string> {
  const out = execFileSync('sh', ['-c', 'find . -type f -print0 | xargs -0 -r sha256sum --zero'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  return new Map(out.split('\0').filter(Boolean).map((line) => [line.slice(66).replace(/^\.\//, ''), line.slice(0, 64)]));
}

/** getfattr's security.capability of every file that has one, in hex. */
function capabilities(root: string): Map<string, string> {
  const out = execFileSync('getfattr', ['-R', '-d', '-m', '^security\\.capability$', '-e', 'hex', '.'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const caps = new Map<string, string>();
  for (const block of out.split('\n\n')) {
    const name = /^# file: (.*)$/m.exec(block)?.[1];
    const value = /^security\.capability=0x([0-9a-f]+)$/m.exec(block)?.[1];
    if (name && value) caps.set(name.replace(/^\.\//, ''), value);
  }
  return caps;
}

/**
 * Installs packages with the real rpm into `root`, as the acceptance criteria name it
 * (--noscripts --nodeps --nosignature), then removes rpm's own database and the directories
 * it made only for it, so the tree holds what the packages hold.
 */
export function rpmInstall(root: string, packages: string[]): void {
  execFileSync('rpm', ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm', '-i', '--noscripts', '--nodeps', '--nosignature', ...packages], { stdio: ['ignore', 'ignore', 'pipe'] });
  fs.rmSync(path.join(root, 'usr/lib/sysimage'), { recursive: true, force: true });
  for (const dir of ['usr/lib', 'usr']) {
    const full = path.join(root, dir);
    if (fs.existsSync(full) && fs.readdirSync(full).length === 0) fs.rmdirSync(full);
  }
}

/** Seeds a tree with the accounts owners are looked up in. */
export function writeAccounts(root: string, users: Array<[string, number]>, groups: Array<[string, number]>): void {
  fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(root, 'etc/passwd'), users.map(([name, id]) => `${name}:x:${id}:${id}::/:/bin/sh\n`).join(''));
  fs.writeFileSync(path.join(root, 'etc/group'), groups.map(([name, id]) => `${name}:x:${id}:\n`).join(''));
}
