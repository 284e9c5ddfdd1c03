import { getSystemErrorName } from 'node:util';
import { native } from './native';

/** One operation of a batch that failed: its index in the batch and the errno it got. */
export interface FsBatchFailure {
  index: number;
  /** `ENOENT`, `EEXIST`, ... */
  code: string;
}

const OP_MKDIR = 0x44; // 'D'
const OP_LINK = 0x4c; // 'L'
const OP_OWN = 0x4d; // 'M'
const OP_RENAME = 0x52; // 'R'
const OP_WRITE = 0x57; // 'W'
const WRITE_ZERO_TIMES = 1;
const WRITE_ATTACHED = 2;
/**
 * Contents this large travel beside the batch rather than inside it: copying a pull's files
 * into batches cost ~8 ms of the main thread for 500 objects.
 */
const ATTACH_FROM = 4096;

/** One complete object file for FsBatch.writeObject. */
export interface ObjectFileWrite {
  /** Used only where O_TMPFILE is not: created with O_EXCL, filled, renamed to `dest`. */
  temp: string;
  dest: string;
  /** The file's bytes, or a symlink's target when `mode` is a symlink's. */
  content: Uint8Array;
  /** Owner to set, or -1 to keep the writer's own. */
  uid: number;
  gid: number;
  /** st_mode: the type picks file or symlink, the permission bits are applied to a file. */
  mode: number;
  /** Set in this order, after the owner and mode (chown would clear security.capability). */
  xattrs?: ReadonlyArray<readonly [string, Uint8Array]>;
  /** atime and mtime 0, as the store keeps them. */
  zeroTimes?: boolean;
}

/**
 * A list of mkdir, link, chown+chmod, rename and whole-object writes that the native addon runs
 * in one call (core/native/fs_batch.c), on this thread or on a libuv pool thread. It exists for the
 * hardlink checkout and for pull's staging, where one JavaScript fs call per syscall costs
 * several times the syscall itself.
 * Paths are latin1 byte strings (BytePath), so any name survives. Operations run in order; a
 * failed one does not stop the rest, and comes back as an FsBatchFailure for the caller to
 * redo or report with its own error handling.
 */
export class FsBatch {
  private buffer: Buffer;
  private length = 0;
  /** Large object contents, passed to the native side as they are. */
  private readonly attachments: Uint8Array[] = [];
  /** Operations queued so far; the index of the next one. */
  count = 0;

  /** `capacity`: the bytes to start with; the batch grows as needed. */
  constructor(capacity = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** A batch of just one object write, sized for it. */
  static ofObject(write: ObjectFileWrite): FsBatch {
    const batch = new FsBatch((isAttached(write.content) ? 0 : write.content.length) + 1024);
    batch.writeObject(write);
    return batch;
  }

  /** mkdir(path, 0700): the final mode comes later, so that read-only directories can be filled. */
  mkdir(path: string): number {
    this.reserve(path.length + 2);
    this.buffer[this.length++] = OP_MKDIR;
    this.putPath(path);
    return this.count++;
  }

  /** link(target, path) */
  link(target: string, path: string): number {
    return this.twoPaths(OP_LINK, target, path);
  }

  /** lchown(path, uid, gid) unless uid is -1, then chmod(path, mode & 0o7777). */
  chownChmod(path: string, uid: number, gid: number, mode: number): number {
    this.reserve(path.length + 14);
    this.buffer[this.length++] = OP_OWN;
    this.length = this.buffer.writeInt32LE(uid, this.length);
    this.length = this.buffer.writeInt32LE(gid, this.length);
    this.length = this.buffer.writeUInt32LE(mode >>> 0, this.length);
    this.putPath(path);
    return this.count++;
  }

  /** rename(from, to) */
  rename(from: string, to: string): number {
    return this.twoPaths(OP_RENAME, from, to);
  }

  /**
   * A whole store object in one operation: an anonymous file in `dest`'s directory (or `temp`),
   * written, owned, moded, given its xattrs and times, then linked (or renamed) as `dest`.
   * Either `dest` ends up holding the complete object or nothing is left behind.
   */
  writeObject(write: ObjectFileWrite): number {
    const xattrs = write.xattrs ?? [];
    const attached = isAttached(write.content);
    let size = 26 + (attached ? 0 : write.content.length) + write.temp.length + write.dest.length + 2;
    for (const [name, value] of xattrs) size += name.length + 5 + value.length;
    this.reserve(size);
    this.buffer[this.length++] = OP_WRITE;
    this.length = this.buffer.writeInt32LE(write.uid, this.length);
    this.length = this.buffer.writeInt32LE(write.gid, this.length);
    this.length = this.buffer.writeUInt32LE(write.mode >>> 0, this.length);
    this.buffer[this.length++] = (write.zeroTimes ? WRITE_ZERO_TIMES : 0) | (attached ? WRITE_ATTACHED : 0);
    this.length = this.buffer.writeUInt32LE(xattrs.length, this.length);
    this.length = this.buffer.writeUInt32LE(write.content.length, this.length);
    if (attached) {
      this.length = this.buffer.writeUInt32LE(this.attachments.length, this.length);
      this.attachments.push(write.content);
    } else {
      this.buffer.set(write.content, this.length);
      this.length += write.content.length;
    }
    for (const [name, value] of xattrs) {
      this.putPath(name);
      this.length = this.buffer.writeUInt32LE(value.length, this.length);
      this.buffer.set(value, this.length);
      this.length += value.length;
    }
    this.putPath(write.temp);
    this.putPath(write.dest);
    return this.count++;
  }

  private twoPaths(op: number, first: string, second: string): number {
    this.reserve(first.length + second.length + 3);
    this.buffer[this.length++] = op;
    this.putPath(first);
    this.putPath(second);
    return this.count++;
  }

  /** Runs the batch on this thread. */
  run(): FsBatchFailure[] {
    return failures(native().fsBatch(this.bytes(), this.attachments));
  }

  /** Runs the batch on a libuv pool thread; several batches run side by side. */
  async runAsync(): Promise<FsBatchFailure[]> {
    return failures(await native().fsBatchAsync(this.bytes(), this.attachments));
  }

  private bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private putPath(path: string): void {
    // A NUL would end the path early in C: the store's names never hold one (entryNameProblem).
    if (path.length === 0 || path.includes('\0')) throw new TypeError(`FsBatch: bad path ${JSON.stringify(path)}`);
    this.length += this.buffer.write(path, this.length, 'latin1');
    this.buffer[this.length++] = 0;
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

function isAttached(content: Uint8Array): boolean {
  return content.length >= ATTACH_FROM;
}

function failures(pairs: Int32Array): FsBatchFailure[] {
  const result: FsBatchFailure[] = [];
  for (let index = 0; index < pairs.length; index += 2) {
    result.push({ index: pairs[index]!, code: getSystemErrorName(-pairs[index + 1]!) });
  }
  return result;
}
