import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { Transport } from '../hooks';
import { objectRelPath, type ObjectId } from '../store/ObjectId';
import type { RepoMode } from '../store/RepoMode';
import { fileObjectKind } from '../store/RepoMode';
import type { FileObjectWorkers } from './FileObjectWorkers';
import type { PullStaging } from './PullStaging';
import { DEFAULT_LIMITS } from './RemoteRepo';
import type { SizeIndex } from './SizeIndex';
import { streamFileObject } from './streamFileObject';

/** Bodies up to this size are read whole and handed to a worker; larger ones are streamed. */
const COLLECT_LIMIT = 16 << 20;
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
}

/**
 * Fetches one file object (always `.filez` on the wire: remotes are archive repos) into the
 * pull's staging directory. The body may be no longer than the size index says, or than the
 * generous per-kind limit without one; it is checked against the object's ID before it is
 * stored, whatever the path it took.
 */
export class FileObjectFetcher {
  private readonly localKind: 'file' | 'filez';

  constructor(private readonly options: FileObjectFetcherOptions) {
    this.localKind = fileObjectKind(options.repoMode);
  }

  /** Returns the bytes received. */
  async fetch(id: ObjectId): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchOnce(id);
      } catch (error) {
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
        await this.options.workers.ingest({ ...target, bytes });
        staging.added(id, this.localKind);
        return expected;
      }
      // Unknown or large: read up to the collect limit, then stream whatever remains.
      const first: Buffer[] = [];
      let total = 0;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        first.push(next.value);
        total += next.value.length;
        if (total > COLLECT_LIMIT) {
          let streamed = total;
          const counting: AsyncIterator<Buffer> = {
            next: async () => {
              const step = await iterator.next();
              if (!step.done) streamed += step.value.length;
              return step;
            },
          };
          await streamFileObject(target, first, counting);
          staging.added(id, this.localKind);
          return streamed;
        }
      }
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const chunk of first) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      await this.options.workers.ingest({ ...target, bytes });
      staging.added(id, this.localKind);
      return total;
    } finally {
      await iterator.return?.();
    }
  }

  private tooLarge(id: ObjectId, expected: number): ArborError {
    return new ArborError(ErrorCode.REMOTE_TOO_LARGE, `Object ${id}.filez from ${this.options.source}: body longer than the ${expected} bytes expected`);
  }
}
