import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/** The syscalls of `core/native/arbor_native.c`; see that file for why each one exists. */
export interface ArborNative {
  lgetxattrs(path: string | Buffer): Array<string | Buffer>;
  lsetxattr(path: string | Buffer, name: string, value: Buffer): void;
  lremovexattr(path: string | Buffer, name: string): void;
  flock(fd: number, operation: number): boolean;
  syncfs(fd: number): void;
  /** The set of objects a repo holds; see core/native/object_index.c. */
  objectIndexCreate(kinds: string[]): ObjectIndexHandle;
  objectIndexLoad(index: ObjectIndexHandle, objectsDir: string, shards: Uint8Array): Promise<void>;
  objectIndexLoadSync(index: ObjectIndexHandle, objectsDir: string, shard: number): void;
  objectIndexHas(index: ObjectIndexHandle, id: string, kind: number): boolean;
  objectIndexAdd(index: ObjectIndexHandle, id: string, kind: number): void;
  objectIndexMissing(index: ObjectIndexHandle, records: Buffer, offset: number, count: number, stride: number, kindMap: Uint8Array): Uint32Array;
  objectIndexScanDirTree(index: ObjectIndexHandle, dirtree: Buffer, fileKind: number, dirtreeKind: number, dirmetaKind: number): { files: string[]; dirs: string[] } | null;
  /** chattr +T on a directory; false where the filesystem has no such flag. */
  markTopDir(path: string): boolean;
  /** See FsBatch: returns (index, errno) pairs of the operations that failed. */
  fsBatch(ops: Buffer, attachments?: Uint8Array[]): Int32Array;
  fsBatchAsync(ops: Buffer, attachments?: Uint8Array[]): Promise<Int32Array>;
  readonly LOCK_SH: number;
  readonly LOCK_EX: number;
  readonly LOCK_NB: number;
  readonly LOCK_UN: number;
}

/** An opaque native object set (objectIndexCreate). */
export type ObjectIndexHandle = { readonly __objectIndex: unique symbol };

let loaded: ArborNative | undefined;

/**
 * Loads the addon that `npm install` builds with node-gyp from `core/binding.gyp` (plain
 * N-API, so one build serves every Node >= 20). Loaded on first use so that commands that
 * never touch xattrs or locks start without it.
 */
export function native(): ArborNative {
  if (loaded) return loaded;
  const file = path.join(__dirname, '..', '..', 'build', 'Release', 'arbor_native.node');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as ArborNative;
  } catch (error) {
    throw new ArborError(ErrorCode.NATIVE_MISSING, `The native addon ${file} could not be loaded: ${(error as Error).message}`, {
      hint: 'Build it with `npm rebuild @arbor/core` (needs python3, make and a C compiler)',
      cause: error,
    });
  }
  return loaded;
}
