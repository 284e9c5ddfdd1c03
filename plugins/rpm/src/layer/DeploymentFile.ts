import fs from 'node:fs';
import path from 'node:path';

/** A deployment seen as the system it boots: `/etc` is its config root, every other path is in its tree. */
export interface DeploymentRoots {
  tree: string;
  /** The deployment's /etc (the merge deployment's etc, else the tree's usr/etc). */
  configRoot: string;
}

/** Symlinks followed before giving up, as the kernel's limit (MAXSYMLINKS, 40). */
const MAX_SYMLINKS = 40;

/**
 * Reads a file named by its absolute path on the deployment (`/etc/pki/rpm-gpg/RPM-GPG-KEY-x`),
 * as a process chrooted into it would: symlinks are followed (distributions link their key
 * files, fedora-gpg-keys among them), but an absolute target starts again at the deployment's
 * root and `..` stops there, so nothing outside the deployment is ever read. At most
 * `maxBytes + 1` bytes are read, so a caller can tell a file that is too large.
 * Returns undefined when the file is missing or is not a regular file.
 */
export function readDeploymentFile(roots: DeploymentRoots, file: string, maxBytes: number): Buffer | undefined {
  const real = resolveInDeployment(roots, file);
  if (!real) return undefined;
  const handle = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    if (!fs.fstatSync(handle).isFile()) return undefined;
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let read; length < buffer.length && (read = fs.readSync(handle, buffer, length, buffer.length - length, null)) > 0;) length += read;
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(handle);
  }
}

/** The host path of `file` on the deployment, every symlink on the way resolved inside it; undefined when missing. */
function resolveInDeployment(roots: DeploymentRoots, file: string): string | undefined {
  const pending = components(file);
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = hostPath(roots, [...done, part]);
    const stat = fs.lstatSync(host, { throwIfNoEntry: false });
    if (!stat) return undefined;
    if (stat.isSymbolicLink()) {
      if (++links > MAX_SYMLINKS) return undefined;
      const target = fs.readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...components(target));
      continue;
    }
    if (pending.length && !stat.isDirectory()) return undefined;
    done.push(part);
  }
  return hostPath(roots, done);
}

function components(file: string): string[] {
  return file.split('/').filter((part) => part !== '' && part !== '.');
}

function hostPath(roots: DeploymentRoots, parts: readonly string[]): string {
  return parts[0] === 'etc' ? path.join(roots.configRoot, ...parts.slice(1)) : path.join(roots.tree, ...parts);
}
