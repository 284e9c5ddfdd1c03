import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../../Arbor';
import type { LabelRequest } from '../../hooks';
import { osPath } from '../../store/BytePath';
import { encodeCommit, type Commit } from '../../store/Commit';
import { encodeDirMeta, type DirMeta } from '../../store/DirMeta';
import { encodeDirTree, type DirTree } from '../../store/DirTree';
import { FileHasher, type MetadataOverride } from '../../store/FileHasher';
import { ObjectIndex } from '../../store/ObjectIndex';
import type { ObjectId } from '../../store/ObjectId';
import { ObjectStaging } from '../../store/ObjectStaging';
import type { Repo } from '../../store/Repo';
import { labelsWanted, TreeLabeler } from '../../store/TreeLabeler';
import { scanTree, type ScannedDir, type TreeScan } from '../../store/TreeScan';
import type { XattrList } from '../../store/XattrList';

export interface LayeredTreeCommit {
  commit: ObjectId;
  /** Tree files that were not the base's objects any more, with the object each became. */
  changed: { path: string; id: ObjectId }[];
  /** Directories committed with other metadata than they have on disk (a labeler changed it). */
  relabeledDirs: { path: string; meta: DirMeta }[];
  files: number;
  directories: number;
}

/**
 * Commits a hardlink checkout of `base` after a `layer` tap changed it, reading only what
 * changed. A file in a directory the tap did not touch, or still linked to the base's object
 * for its path (same inode), is that object: the tap may not write a file in place
 * (docs/hooks/layer.md). Every other file is hashed and stored.
 * Dirtrees and dirmetas are rebuilt from the scan, so added, removed and re-moded entries are
 * exact. With `label`, the request the base was labeled with, the `label` hook runs for the
 * hashed files and for every directory, as a full relabel would: the files kept are the base's
 * objects and carry its labels (ostree and rpm-ostree relabel only the layered files). When
 * `relabelAll` says the change touched what labels are made from (a new policy), every file
 * is relabeled.
 * Holds the repo lock shared; nothing reaches objects/ before the whole tree is staged, and
 * the ref moves last, by compare-and-swap.
 */
export async function commitLayeredTree(
  arbor: Arbor, repo: Repo,
  options: {
    tree: string; base: Commit; parent: ObjectId; branch: string; subject: string; metadata: Record<string, unknown>; signal: AbortSignal;
    /**
     * The change time (ns) of a file made after the checkout and before the tap ran. A directory
     * whose ctime is older has had no entry added, removed or renamed since (every such change,
     * and every chmod or utimes of it, sets its ctime to now), so its files are the base's and
     * are not even stat'ed. Strictly older: a change in the same clock tick is not missed.
     */
    untouchedBefore?: bigint;
    label?: LabelRequest;
    /** Given the tree paths of the files that changed or went, whether every file must be relabeled. */
    relabelAll?: (paths: string[]) => boolean;
  },
): Promise<LayeredTreeCommit> {
  const context = arbor.context({ repo, signal: options.signal });
  const lock = await repo.lock('shared', { onWait: () => context.logger.info(`Waiting for a prune of ${repo.path} to finish...`) });
  try {
    const baseFiles = baseFileIds(repo, options.base.rootTree);
    const scan = scanTree(options.tree, options.signal);
    const staging = ObjectStaging.create(repo);
    try {
      const hasher = new FileHasher({ repoPath: repo.path, repoMode: repo.mode, stagingPath: staging.path, worldWritable: repo.worldWritablePolicy });
      const labeler = options.label && labelsWanted(arbor, options.label) ? new TreeLabeler(arbor, path.resolve(options.tree), options.label, context) : undefined;
      const fileIds = new Array<ObjectId>(scan.files.length);
      const changed: LayeredTreeCommit['changed'] = [];
      const untouched = scan.dirs.map((dir) => options.untouchedBefore !== undefined && ctimeOf(dir.path) < options.untouchedBefore);
      const kept = scan.files.map((file) => {
        const known = baseFiles.get(file.relPath);
        return known !== undefined && (untouched[file.dir] || sameInode(file.path, repo.objectPath(known, repo.fileKind))) ? known : undefined;
      });
      const relabelAll = labeler !== undefined && options.relabelAll !== undefined && options.relabelAll(changedPaths(scan, kept, baseFiles));
      for (const [index, file] of scan.files.entries()) {
        const known = kept[index];
        if (known !== undefined && !relabelAll) {
          fileIds[index] = known;
          continue;
        }
        const override: MetadataOverride | undefined = labeler ? await labeler.file(file.relPath, file.path) : undefined;
        const { id } = hasher.hash({ index, path: file.path, ...(override ? { override } : {}) });
        fileIds[index] = id;
        // A relabeled base file that keeps its object is that object on disk already.
        if (id !== known) changed.push({ path: file.path, id });
      }
      const dirMetas: DirMeta[] = [];
      const relabeledDirs: LayeredTreeCommit['relabeledDirs'] = [];
      for (const dir of scan.dirs) {
        const meta = labeler ? await labeler.dir(dir.relPath, dir.meta) : dir.meta;
        if (!sameDirMeta(meta, dir.meta)) relabeledDirs.push({ path: dir.path, meta });
        dirMetas.push(meta);
      }

      const stage = staging.metadataWriter(new ObjectIndex(repo.path));
      const stageMeta = (meta: DirMeta): ObjectId => stage('dirmeta', encodeDirMeta(meta));
      const treeIds = new Array<ObjectId>(scan.dirs.length);
      const metaIds = new Array<ObjectId>(scan.dirs.length);
      for (let dirIndex = scan.dirs.length - 1; dirIndex >= 0; dirIndex--) {
        const dir = scan.dirs[dirIndex]!;
        const tree: DirTree = {
          files: dir.files.map((fileIndex) => ({ name: scan.files[fileIndex]!.name, file: fileIds[fileIndex]! })),
          dirs: dir.dirs.map((child) => ({ name: scan.dirs[child]!.name, tree: treeIds[child]!, meta: metaIds[child]! })),
        };
        treeIds[dirIndex] = stage('dirtree', encodeDirTree(tree));
        metaIds[dirIndex] = stageMeta(dirMetas[dirIndex]!);
      }
      const tip = repo.readRef(options.branch) ?? null;
      const metadata = await arbor.hooks.commit.promise({ ...options.metadata }, context);
      const commit: Commit = {
        parent: options.parent,
        timestamp: Number(process.env.SOURCE_DATE_EPOCH) || Math.floor(Date.now() / 1000),
        rootTree: treeIds[0]!,
        rootMeta: metaIds[0]!,
        subject: options.subject,
        body: '',
        metadata: metadata ?? {},
      };
      const commitId = stage('commit', encodeCommit(commit));
      context.signal.throwIfAborted();
      staging.publish();
      repo.setRef(options.branch, commitId, { expected: tip });
      return { commit: commitId, changed, relabeledDirs, files: scan.files.length, directories: scan.dirs.length };
    } catch (error) {
      staging.discard();
      throw error;
    }
  } finally {
    lock.release();
  }
}

/** Every file of a commit's tree by its path (latin1 bytes, as TreeScan names them): ID. */
function baseFileIds(repo: Repo, rootTree: ObjectId): Map<string, ObjectId> {
  const files = new Map<string, ObjectId>();
  const walk = (treeId: ObjectId, prefix: string): void => {
    const tree = repo.readDirTree(treeId);
    for (const file of tree.files) files.set(`${prefix}/${file.name}`, file.file);
    for (const dir of tree.dirs) walk(dir.tree, `${prefix}/${dir.name}`);
  };
  walk(rootTree, '');
  return files;
}

/** The tree paths of files the layering added or changed, then those it removed. */
function changedPaths(scan: TreeScan, kept: Array<ObjectId | undefined>, baseFiles: Map<string, ObjectId>): string[] {
  const paths = new Set(scan.files.map((file) => file.relPath));
  const removed = [...baseFiles.keys()].filter((relPath) => !paths.has(relPath));
  return [...scan.files.filter((_, index) => kept[index] === undefined).map((file) => file.relPath), ...removed];
}

function sameDirMeta(a: DirMeta, b: ScannedDir['meta']): boolean {
  return a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && sameXattrs(a.xattrs, b.xattrs);
}

function sameXattrs(a: XattrList, b: XattrList): boolean {
  return a.length === b.length && a.every(([name, value], index) => b[index]![0] === name && b[index]![1].equals(value));
}

function ctimeOf(bytePath: string): bigint {
  return fs.lstatSync(osPath(bytePath), { bigint: true }).ctimeNs;
}

function sameInode(treeFile: string, object: string): boolean {
  const a = fs.lstatSync(osPath(treeFile), { throwIfNoEntry: false });
  if (!a || a.nlink < 2) return false;
  const b = fs.lstatSync(object, { throwIfNoEntry: false });
  return b !== undefined && a.ino === b.ino && a.dev === b.dev;
}
