import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { exceedsPathMax, pathTooLong } from '../fs/pathMax';
import { bytePathFromOs, displayPath, joinBytePath, osPath } from './BytePath';
import { entryNameProblem } from './DirTree';
import type { DirMeta } from './DirMeta';
import { S_IFDIR, S_IFMT } from './FileHeader';
import { treeXattrs, unreadable, unsupportedType } from './FileHasher';

export interface ScannedFile {
  /** Absolute path as a latin1 byte string. */
  path: string;
  /** Path inside the tree, starting with `/`. */
  relPath: string;
  name: string;
  dir: number;
}

export interface ScannedDir {
  path: string;
  relPath: string;
  name: string;
  /** Index of the parent in `dirs`, -1 for the root. */
  parent: number;
  meta: DirMeta;
  files: number[];
  dirs: number[];
}

/** A tree's shape: directories in pre-order (a parent before its children), and every file. */
export interface TreeScan {
  dirs: ScannedDir[];
  files: ScannedFile[];
}

/**
 * Walks the tree to commit with synchronous readdir (d_type gives each entry's type without a
 * stat) and reads each directory's own metadata. Device nodes, sockets and fifos are refused
 * here, by path, before anything is written. File contents and metadata are read later, on
 * the hash workers.
 */
export function scanTree(root: string, signal?: AbortSignal): TreeScan {
  const rootPath = bytePathFromOs(root);
  let rootStat: fs.Stats;
  try {
    rootStat = fs.statSync(osPath(rootPath));
  } catch (error) {
    throw new ArborError(ErrorCode.STORE_UNREADABLE, `Cannot read the tree ${root}: ${(error as NodeJS.ErrnoException).code ?? error}`, { cause: error });
  }
  if (!rootStat.isDirectory()) throw new ArborError(ErrorCode.STORE_UNREADABLE, `The tree ${root} is not a directory`);
  const scan: TreeScan = { dirs: [], files: [] };
  scan.dirs.push({ path: rootPath, relPath: '/', name: '', parent: -1, meta: dirMeta(rootPath, rootStat), files: [], dirs: [] });
  for (let index = 0; index < scan.dirs.length; index++) {
    if (index % 256 === 0) signal?.throwIfAborted();
    const dir = scan.dirs[index]!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(osPath(dir.path), { withFileTypes: true, encoding: 'latin1' }) as unknown as fs.Dirent[];
    } catch (error) {
      throw unreadable(dir.path, error);
    }
    for (const entry of entries) {
      const name = entry.name;
      const childPath = joinBytePath(dir.path, name);
      const relPath = dir.relPath === '/' ? `/${name}` : `${dir.relPath}/${name}`;
      const problem = entryNameProblem(name);
      if (problem) throw new ArborError(ErrorCode.STORE_NAME_INVALID, `${displayPath(childPath)}: cannot commit ${problem}`);
      // No checkout could create it (and no syscall reach it here): refuse it by name.
      if (exceedsPathMax(childPath)) throw pathTooLong(displayPath(childPath), childPath.length, `The tree ${root}`);
      if (entry.isDirectory()) {
        const stat = lstatDir(childPath);
        dir.dirs.push(scan.dirs.length);
        scan.dirs.push({ path: childPath, relPath, name, parent: index, meta: dirMeta(childPath, stat), files: [], dirs: [] });
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        dir.files.push(scan.files.length);
        scan.files.push({ path: childPath, relPath, name, dir: index });
      } else {
        const stat = lstatDir(childPath);
        throw unsupportedType(childPath, stat.mode);
      }
    }
  }
  return scan;
}

function lstatDir(bytePath: string): fs.Stats {
  try {
    return fs.lstatSync(osPath(bytePath));
  } catch (error) {
    throw unreadable(bytePath, error);
  }
}

function dirMeta(bytePath: string, stat: fs.Stats): DirMeta {
  if ((stat.mode & S_IFMT) !== S_IFDIR) throw unreadable(bytePath, new Error('changed type during the scan'));
  return { mode: stat.mode, uid: stat.uid, gid: stat.gid, xattrs: treeXattrs(bytePath, osPath(bytePath)) };
}
