import fs from 'node:fs';
import type { Arbor } from '../../Arbor';
import { osPath } from '../../store/BytePath';
import { encodeCommit, type Commit } from '../../store/Commit';
import { encodeDirMeta, type DirMeta } from '../../store/DirMeta';
import { encodeDirTree, type DirTree } from '../../store/DirTree';
import { FileHasher } from '../../store/FileHasher';
import { ObjectIndex } from '../../store/ObjectIndex';
import type { ObjectId } from '../../store/ObjectId';
import { ObjectStaging } from '../../store/ObjectStaging';
import type { Repo } from '../../store/Repo';
import { scanTree } from '../../store/TreeScan';

export interface LayeredTreeCommit {
  commit: ObjectId;
  /** Tree files that were not the base's objects any more, with the object each became. */
  changed: { path: string; id: ObjectId }[];
  files: number;
  directories: number;
}

/**
 * Commits a hardlink checkout of `base` after a `layer` tap changed it, reading only what
 * changed. A file in a directory the tap did not touch, or still linked to the base's object
 * for its path (same inode), is that object: the tap may not write a file in place
 * (docs/hooks/layer.md). Every other file is hashed and stored.
 * Dirtrees and dirmetas are rebuilt from the scan, so added, removed and re-moded entries are
 * exact. Only for trees no `label` tap relabels (commitTree labels every entry otherwise).
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
      const fileIds = new Array<ObjectId>(scan.files.length);
      const changed: LayeredTreeCommit['changed'] = [];
      const untouched = scan.dirs.map((dir) => options.untouchedBefore !== undefined && ctimeOf(dir.path) < options.untouchedBefore);
      scan.files.forEach((file, index) => {
        const known = baseFiles.get(file.relPath);
        if (known !== undefined && (untouched[file.dir] || sameInode(file.path, repo.objectPath(known, repo.fileKind)))) {
          fileIds[index] = known;
          return;
        }
        const { id } = hasher.hash({ index, path: file.path });
        fileIds[index] = id;
        changed.push({ path: file.path, id });
      });

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
        metaIds[dirIndex] = stageMeta(dir.meta);
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
      return { commit: commitId, changed, files: scan.files.length, directories: scan.dirs.length };
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

function ctimeOf(bytePath: string): bigint {
  return fs.lstatSync(osPath(bytePath), { bigint: true }).ctimeNs;
}

function sameInode(treeFile: string, object: string): boolean {
  const a = fs.lstatSync(osPath(treeFile), { throwIfNoEntry: false });
  if (!a || a.nlink < 2) return false;
  const b = fs.lstatSync(object, { throwIfNoEntry: false });
  return b !== undefined && a.ino === b.ino && a.dev === b.dev;
}
