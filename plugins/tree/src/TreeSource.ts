import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PackageRecord, PackageSource, SourceSpec } from '@arbor/core';
import { digestDirectory } from './digestDirectory';
import { TreeErrorCode, treeError } from './TreeError';

/** The two kinds of treefile repo this plugin opens: `{ kind: dir, url: ./rootfs }`, `{ kind: tar, url: rootfs.tar.zst }`. */
export type TreeKind = 'dir' | 'tar';

/** A whole tree offered as one "package": compose's resolve, download and install steps carry it. */
export interface TreeRecord extends PackageRecord {
  treeKind: TreeKind;
}

export function isTreeRecord(pkg: unknown): pkg is TreeRecord {
  const kind = (pkg as TreeRecord | undefined)?.treeKind;
  return kind === 'dir' || kind === 'tar';
}

/**
 * A directory or a tarball as a package source with exactly one entry. Its checksum (SHA-256
 * of the tarball, or of the directory's every name, type, owner, mode, xattr, link target and
 * byte) is what compose's inputs hash sees, so an edit to the source makes a new commit and
 * an unchanged source makes none.
 */
export class TreeSource implements PackageSource {
  readonly id: string;
  readonly installer = 'the tree plugin (@arbor/plugin-tree; preset minimal has it)';

  constructor(private readonly spec: SourceSpec, private readonly kind: TreeKind) {
    this.id = spec.id;
  }

  async packages(): Promise<PackageRecord[]> {
    const location = this.spec.url;
    const stat = fs.statSync(location, { throwIfNoEntry: false });
    if (this.kind === 'dir' && !stat?.isDirectory()) {
      throw treeError(TreeErrorCode.SOURCE_INVALID, location, stat ? 'not a directory (a dir repo names a directory)' : 'no such directory', {
        hint: 'Point the repo at the root of the tree to commit, or use kind: tar for a tarball',
      });
    }
    if (this.kind === 'tar' && !stat?.isFile()) {
      throw treeError(TreeErrorCode.SOURCE_INVALID, location, stat ? 'not a file (a tar repo names a .tar, .tar.gz or .tar.zst file)' : 'no such file');
    }
    const value = this.kind === 'tar' ? await digestFile(location) : digestDirectory(location);
    const record: TreeRecord = {
      name: this.id, epoch: 0, version: '0', release: '0', arch: 'noarch',
      repo: this.id, location, checksum: { type: 'sha256', value }, treeKind: this.kind,
    };
    return [record];
  }

  async download(pkg: PackageRecord): Promise<string> {
    return path.resolve(pkg.location);
  }
}

async function digestFile(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
