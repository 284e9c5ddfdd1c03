import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { CanonicalReader } from './CanonicalReader';
import { CanonicalWriter } from './CanonicalWriter';
import { compareBytes } from './XattrList';
import type { ObjectId } from './ObjectId';

/** A file entry: the name and the file object it points at. */
export interface DirTreeFile {
  name: string;
  file: ObjectId;
}

/** A subdirectory entry: its contents (dirtree) and its own metadata (dirmeta). */
export interface DirTreeDir {
  name: string;
  tree: ObjectId;
  meta: ObjectId;
}

/**
 * One directory's listing. Names are latin1 byte strings, so non-UTF-8 names survive. Files and
 * directories are kept in two lists, each sorted by name bytes; a name is never in both.
 */
export interface DirTree {
  files: DirTreeFile[];
  dirs: DirTreeDir[];
}

export const DIRTREE_MAGIC = 'arbt';
export const DIRTREE_VERSION = 1;
const ENTRY_FILE = 1;
const ENTRY_DIR = 2;
export const NAME_MAX = 255;

/**
 * Why `name` may not be a directory entry, or undefined. These are the rules that keep a
 * checkout inside its destination: no `.`/`..`, no `/` and no NUL.
 */
export function entryNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty name';
  if (name.length > NAME_MAX) return `a name of ${name.length} bytes`;
  if (name === '.' || name === '..') return `the name "${name}"`;
  if (name.includes('/')) return 'a name holding "/"';
  if (name.includes('\0')) return 'a name holding NUL';
  return undefined;
}

/**
 *   "arbt" u8(1) u32 count, then entries in one list sorted by name bytes:
 *     u8 1 (file)  u16 nameLength name [32] file
 *     u8 2 (dir)   u16 nameLength name [32] dirtree [32] dirmeta
 * One merged list makes "a name appears once" a plain strictly-increasing check.
 */
export function encodeDirTree(tree: DirTree): Buffer {
  const entries: Array<DirTreeFile | DirTreeDir> = [...tree.files, ...tree.dirs];
  entries.sort((a, b) => compareBytes(a.name, b.name));
  const writer = new CanonicalWriter(16 + entries.length * 80);
  writer.latin1(DIRTREE_MAGIC).u8(DIRTREE_VERSION).u32(entries.length);
  let previous: string | undefined;
  for (const entry of entries) {
    const problem = entryNameProblem(entry.name);
    if (problem) throw new ArborError(ErrorCode.STORE_NAME_INVALID, `Cannot store ${problem} in a directory`);
    if (previous === entry.name) throw new ArborError(ErrorCode.STORE_NAME_INVALID, `Duplicate directory entry "${entry.name}"`);
    previous = entry.name;
    if ('file' in entry) {
      writer.u8(ENTRY_FILE).u16(entry.name.length).latin1(entry.name).raw(Buffer.from(entry.file, 'hex'));
    } else {
      writer.u8(ENTRY_DIR).u16(entry.name.length).latin1(entry.name)
        .raw(Buffer.from(entry.tree, 'hex')).raw(Buffer.from(entry.meta, 'hex'));
    }
  }
  return writer.finish();
}

/** Decodes and validates: every name must pass entryNameProblem and be strictly sorted. */
export function decodeDirTree(bytes: Buffer, what: string): DirTree {
  const reader = new CanonicalReader(bytes, what);
  reader.magic(DIRTREE_MAGIC, DIRTREE_VERSION);
  const count = reader.u32();
  if (count * 36 > reader.remaining) reader.fail(`entry count ${count} exceeds the object size`);
  const tree: DirTree = { files: [], dirs: [] };
  let previous = '';
  for (let index = 0; index < count; index++) {
    const kind = reader.u8();
    const name = reader.latin1(reader.u16());
    const problem = entryNameProblem(name);
    if (problem) {
      throw new ArborError(ErrorCode.STORE_NAME_INVALID, `${what} holds ${problem}`, {
        hint: 'The repo is corrupt or hostile; nothing was written for this entry',
      });
    }
    if (index > 0 && compareBytes(previous, name) >= 0) reader.fail(`entries not strictly sorted at "${name}"`);
    previous = name;
    if (kind === ENTRY_FILE) {
      tree.files.push({ name, file: reader.raw(32).toString('hex') });
    } else if (kind === ENTRY_DIR) {
      tree.dirs.push({ name, tree: reader.raw(32).toString('hex'), meta: reader.raw(32).toString('hex') });
    } else {
      reader.fail(`unknown entry type ${kind}`);
    }
  }
  reader.end();
  return tree;
}
