import fs from 'node:fs';
import type { Arbor } from '../Arbor';
import type { HookContext } from '../HookContext';
import type { FileMetadata, LabelRequest, LabelTapOptions, LabelTarget } from '../hooks';
import { displayPath, osPath } from './BytePath';
import type { DirMeta } from './DirMeta';
import { PERMISSION_BITS, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from './FileHeader';
import { treeXattrs, unreadable, type MetadataOverride } from './FileHasher';
import { xattrListFromRecord, xattrListToRecord } from './XattrList';

/**
 * Whether a commit with this request calls the `label` hook at all: some tap labels every
 * commit (it did not declare `labelsOnRequest`), or the request asks for labels. A commit of a
 * config that merely loads the selinux plugin, asking for nothing, costs what one without it does.
 */
export function labelsWanted(arbor: Arbor, request: LabelRequest): boolean {
  const taps = arbor.hooks.label.taps as ReadonlyArray<LabelTapOptions>;
  if (taps.length === 0) return false;
  return Boolean(request.fileContexts || request.selinux) || taps.some((tap) => !tap.labelsOnRequest);
}

/** Where a tree path lives once deployed: deploy copies usr/etc to etc, so it is labeled as /etc. */
export function runtimePath(treePath: string): string {
  if (treePath === '/usr/etc') return '/etc';
  return treePath.startsWith('/usr/etc/') ? treePath.slice(4) : treePath;
}

/**
 * Runs the `label` waterfall for the entries of one commit (docs/hooks/label.md): every target
 * shares the commit's root and request, and what the taps return is the metadata committed.
 * The file type cannot be changed. Callers decide which entries: all of them (commitTree), or
 * only those a layering added or changed (commitLayeredTree).
 */
export class TreeLabeler {
  private readonly scope: Pick<LabelTarget, 'root' | 'request'>;

  constructor(private readonly arbor: Arbor, root: string, request: LabelRequest, private readonly context: HookContext) {
    this.scope = { root, request };
  }

  /** A directory's metadata as committed, from what the scan read of it. */
  async dir(relPath: string, meta: DirMeta): Promise<DirMeta> {
    const labeled = await this.label(toMetadata(meta), relPath, S_IFDIR);
    return { mode: S_IFDIR | (labeled.mode & PERMISSION_BITS), uid: labeled.uid, gid: labeled.gid, xattrs: xattrListFromRecord(labeled.xattrs) };
  }

  /** A file's or symlink's metadata as committed (an override for the hasher), read from disk first. */
  async file(relPath: string, bytePath: string): Promise<MetadataOverride> {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(osPath(bytePath));
    } catch (error) {
      throw unreadable(bytePath, error);
    }
    const type = (stat.mode & S_IFMT) === S_IFLNK ? S_IFLNK : S_IFREG;
    const onDisk = { mode: stat.mode, uid: stat.uid, gid: stat.gid, xattrs: treeXattrs(bytePath, osPath(bytePath)) };
    const labeled = await this.label(toMetadata(onDisk), relPath, type);
    return { uid: labeled.uid, gid: labeled.gid, mode: labeled.mode, xattrs: xattrListFromRecord(labeled.xattrs) };
  }

  private label(metadata: FileMetadata, relPath: string, type: number): Promise<FileMetadata> {
    const treePath = displayPath(relPath);
    return this.arbor.hooks.label.promise(metadata, { path: runtimePath(treePath), treePath, type, ...this.scope }, this.context);
  }
}

function toMetadata(meta: { mode: number; uid: number; gid: number; xattrs: Array<[string, Buffer]> }): FileMetadata {
  return { uid: meta.uid, gid: meta.gid, mode: meta.mode, xattrs: xattrListToRecord(meta.xattrs) };
}
