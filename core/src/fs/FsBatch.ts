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

/**
 * A list of mkdir, link and chown+chmod calls that the native addon runs in one call
 * (core/native/fs_batch.c), on this thread or on a libuv pool thread. It exists for the hardlink
 * checkout, where one JavaScript fs call per file costs several times the syscall itself.
 * Paths are latin1 byte strings (BytePath), so any name survives. Operations run in order; a
 * failed one does not stop the rest, and comes back as an FsBatchFailure for the caller to
 * redo or report with its own error handling.
 */
export class FsBatch {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  /** Operations queued so far; the index of the next one. */
  count = 0;

  /** mkdir(path, 0700): the final mode comes later, so that read-only directories can be filled. */
  mkdir(path: string): number {
    this.reserve(path.length + 2);
    this.buffer[this.length++] = OP_MKDIR;
    this.putPath(path);
    return this.count++;
  }

  /** link(target, path) */
  link(target: string, path: string): number {
    this.reserve(target.length + path.length + 3);
    this.buffer[this.length++] = OP_LINK;
    this.putPath(target);
    this.putPath(path);
    return this.count++;
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

  /** Runs the batch on this thread. */
  run(): FsBatchFailure[] {
    return failures(native().fsBatch(this.bytes()));
  }

  /** Runs the batch on a libuv pool thread; several batches run side by side. */
  async runAsync(): Promise<FsBatchFailure[]> {
    return failures(await native().fsBatchAsync(this.bytes()));
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

function failures(pairs: Int32Array): FsBatchFailure[] {
  const result: FsBatchFailure[] = [];
  for (let index = 0; index < pairs.length; index += 2) {
    result.push({ index: pairs[index]!, code: getSystemErrorName(-pairs[index + 1]!) });
  }
  return result;
}
