import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { Transport } from '../hooks';
import { objectRelPath, type ObjectId } from '../store/ObjectId';
import type { RepoMode } from '../store/RepoMode';
import { fileObjectKind } from '../store/RepoMode';
import type { FileObjectWorkers } from './FileObjectWorkers';
import type { IngestRequest } from './ingestFileObject';
import type { PullStaging } from './PullStaging';
import { DEFAULT_LIMITS } from './RemoteRepo';
import type { SizeIndex } from './SizeIndex';
import { stagingError } from './stagingError';
import { streamFileObject } from './streamFileObject';
import type { TempBudget } from './TempBudget';

/** Bodies up to this size are read whole and handed to a worker; larger ones are streamed. */
const COLLECT_LIMIT = 16 << 20;
/** The most content an unverified header may make a worker allocate for one object. */
const IN_MEMORY_CONTENT = 16 << 20;
/** Bodies and claimed content held in memory at once, over every lane; past it, objects stream. */
const MEMORY_BUDGET = 96 << 20;
/** "arbf" u8 u32 mode u32 uid u32 gid, then the u64 content size (docs/format.md §3.1). */
const SIZE_OFFSET = 17;
/** Failures of a body already under way that are worth one more attempt. */
const TRANSIENT = new Set<string>([ErrorCode.REMOTE_TRUNCATED, ErrorCode.REMOTE_TIMEOUT, ErrorCode.REMOTE_UNREACHABLE]);
const BODY_ATTEMPTS = 3;

export interface FileObjectFetcherOptions {
  transport: Transport;
  workers: FileObjectWorkers;
  staging: PullStaging;
  repoMode: RepoMode;
  /** `remote origin`, for messages. */
  source: string;
  /** Exact wire sizes from the commit's size index. */
  sizes?: SizeIndex;
  signal?: AbortSignal;
  /** The most content one file object may claim (default: DEFAULT_LIMITS.file). */
  maxObjectBytes?: number;
  /** Counts what the pull writes into staging. */
  budget?: TempBudget;
}

/**
 * Fetches one file object (always `.filez` on the wire: remotes are archive repos) into the
 * pull's staging directory. The body may be no longer than the size index says, or than the
 * generous per-kind limit without one; it is checked against the object's ID before it is
 * stored, whatever the path it took.
 */
export class FileObjectFetcher {
  private readonly localKind: 'file' | 'filez';
  /** Bytes of bodies and claimed content held in memory for objects in flight. */
  private inMemory = 0;

  constructor(private readonly options: FileObjectFetcherOptions) {
    this.localKind = fileObjectKind(options.repoMode);
  }

  /** Returns the bytes received. */
  async fetch(id: ObjectId): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchOnce(id);
      } catch (caught) {
        const error = stagingError(caught, `Object ${id}.filez from ${this.options.source}`, this.options.staging.dir);
        if (attempt >= BODY_ATTEMPTS || !TRANSIENT.has((error as ArborError).code) || this.options.signal?.aborted) throw error;
      }
    }
  }

  private async fetchOnce(id: ObjectId): Promise<number> {
    const { transport, staging, sizes, signal } = this.options;
    const known = sizes?.get(id, 'filez');
    const response = await transport.open(objectRelPath(id, 'filez'), { maxBytes: known ?? DEFAULT_LIMITS.filez, signal });
    const iterator = response.body[Symbol.asyncIterator]();
    const target = {
      id,
      dest: staging.stagedPath(id, this.localKind),
      temp: staging.tempPath(id, this.localKind),
      repoMode: this.options.repoMode,
      source: this.options.source,
    };
    try {
      const expected = response.length ?? known;
      if (expected !== undefined && expected <= COLLECT_LIMIT) {
        // An ArrayBuffer of our own (never Node's shared pool), so it can move to a worker.
        const bytes = new Uint8Array(expected);
        let offset = 0;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          if (offset + next.value.length > expected) throw this.tooLarge(id, expected);
          bytes.set(next.value, offset);
          offset += next.value.length;
        }
        if (offset !== expected) {
          throw new ArborError(ErrorCode.REMOTE_TRUNCATED, `Object ${id}.filez from ${this.options.source}: truncated body (${offset} of ${expected} bytes)`);
        }
        return await this.ingest(target, bytes);
      }
      // Unknown or large: read up to the collect limit, then stream whatever remains.
      const first: Buffer[] = [];
      let total = 0;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        first.push(next.value);
        total += next.value.length;
        if (total > COLLECT_LIMIT) return await this.stream(target, first, iterator);
      }
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const chunk of first) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      return await this.ingest(target, bytes);
    } finally {
      await iterator.return?.();
    }
  }

  /**
   * A whole body in memory goes to a worker, which decompresses it into a buffer of the size its
   * header claims; that claim is not verified yet, so only small claims within the memory budget
   * take this path, and any other goes through the bounded, streaming one.
   */
  private async ingest(target: Omit<IngestRequest, 'bytes'>, bytes: Uint8Array): Promise<number> {
    const claimed = claimedContentSize(bytes);
    const cost = bytes.length + claimed;
    if (claimed > IN_MEMORY_CONTENT || this.inMemory + cost > MEMORY_BUDGET) {
      const done: AsyncIterator<Buffer> = { next: async () => ({ done: true, value: undefined }) };
      return this.stream(target, [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)], done);
    }
    const staged = this.options.repoMode === 'archive' ? bytes.length : claimed;
    this.options.budget?.add(staged);
    this.inMemory += cost;
    try {
      await this.options.workers.ingest({ ...target, bytes });
    } catch (error) {
      this.options.budget?.release(staged);
      throw error;
    } finally {
      this.inMemory -= cost;
    }
    this.options.staging.added(target.id, this.localKind);
    return bytes.length;
  }

  private async stream(target: Omit<IngestRequest, 'bytes'>, first: Buffer[], rest: AsyncIterator<Buffer>): Promise<number> {
    const received = await streamFileObject(target, first, rest, { maxObjectBytes: this.options.maxObjectBytes ?? DEFAULT_LIMITS.file, budget: this.options.budget });
    this.options.staging.added(target.id, this.localKind);
    return received;
  }

  private tooLarge(id: ObjectId, expected: number): ArborError {
    return new ArborError(ErrorCode.REMOTE_TOO_LARGE, `Object ${id}.filez from ${this.options.source}: body longer than the ${expected} bytes expected`);
  }
}

/** The content size a file object's header claims, read in place; 0 when it is not a header (the worker then fails it). */
function claimedContentSize(bytes: Uint8Array): number {
  if (bytes.length < SIZE_OFFSET + 8 || bytes[0] !== 0x61 || bytes[1] !== 0x72 || bytes[2] !== 0x62 || bytes[3] !== 0x66) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(SIZE_OFFSET) * 0x100000000 + view.getUint32(SIZE_OFFSET + 4);
}
