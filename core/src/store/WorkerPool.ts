import os from 'node:os';
import { parentPort, Worker } from 'node:worker_threads';
import { ArborError } from '../errors/ArborError';

/** Jobs and results carry their position, so results land in order whatever thread ran them. */
export interface IndexedJob {
  index: number;
}

export interface PoolRunOptions<R> {
  /** Below this many jobs, starting threads costs more than it saves: run inline. */
  inlineBelow?: number;
  batchSize?: number;
  onResults?: (results: R[]) => void;
  signal?: AbortSignal;
}

/**
 * Jobs handed to runOnWorkers while the main thread still makes them (commitTree labels files
 * as the workers hash the ones labeled already): `total` is known up front, `push` adds made
 * jobs in any order of batches, `fail` stops the run with the producer's error.
 */
export class JobFeed<J> {
  readonly jobs: J[] = [];
  private error: { reason: unknown } | undefined;
  private listener: (() => void) | undefined;
  /** Set once the run ended (done or failed): the producer stops making jobs. */
  stopped = false;

  constructor(readonly total: number) {}

  push(jobs: J[]): void {
    for (const job of jobs) this.jobs.push(job);
    this.listener?.();
  }

  fail(reason: unknown): void {
    this.error ??= { reason };
    this.listener?.();
  }

  get failure(): { reason: unknown } | undefined {
    return this.error;
  }

  get complete(): boolean {
    return this.jobs.length >= this.total;
  }

  /** Called after each push or failure (one listener: the run consuming the feed). */
  onChange(listener: () => void): void {
    this.listener = listener;
  }

  /** Resolves once every job was pushed; rejects with the producer's error. */
  whole(): Promise<J[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.error) reject(this.error.reason);
        else if (this.complete) resolve(this.jobs);
      };
      this.onChange(check);
      check();
    });
  }
}

type Reply<R> = { results: R[] } | { error: { message: string; code?: string; hint?: string; arbor: boolean; stack?: string } };

/** Batches kept in flight per worker, so a worker never waits on the main thread. */
const IN_FLIGHT = 2;

/**
 * Runs jobs on worker threads, one per core up to 4 (docs/performance.md: 2 workers with sync fs
 * calls beat async I/O for hashing a tree). Batches are handed out as workers finish, so one
 * big file does not stall the rest. The first error stops the run and is rethrown as the
 * ArborError it was. `inline` builds the same handler for the main thread, for small runs.
 * `source` is the jobs, or a JobFeed the main thread is still filling: workers take its jobs in
 * full batches as they come, and the run ends once all `total` are done.
 */
export async function runOnWorkers<J extends IndexedJob, R extends IndexedJob>(
  script: string,
  workerData: unknown,
  source: J[] | JobFeed<J>,
  inline: () => (job: J) => R,
  options: PoolRunOptions<R> = {},
): Promise<R[]> {
  const feedOf = source instanceof JobFeed ? source : undefined;
  const total = feedOf ? feedOf.total : (source as J[]).length;
  const results = new Array<R>(total);
  if (total < (options.inlineBelow ?? 256)) {
    const jobs = feedOf ? await feedOf.whole() : (source as J[]);
    const handle = inline();
    for (const job of jobs) {
      options.signal?.throwIfAborted();
      const result = handle(job);
      results[result.index] = result;
      options.onResults?.([result]);
    }
    return results;
  }
  const batchSize = options.batchSize ?? 48;
  const count = Math.max(1, Math.min(os.availableParallelism(), 4));
  const workers = Array.from({ length: count }, () => new Worker(script, { workerData }));
  const jobs = feedOf ? feedOf.jobs : (source as J[]);
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let pending = 0;
      let settled = false;
      const fail = (error: unknown): void => {
        if (!settled) reject(error);
        settled = true;
      };
      // Batches in flight per worker: a worker below IN_FLIGHT waits for the feed.
      const inFlight = new Map<Worker, number>(workers.map((worker) => [worker, 0]));
      const feed = (worker: Worker): void => {
        if (settled || next >= jobs.length) return;
        // Made jobs go out in full batches while more are coming, so batches stay large.
        if (jobs.length - next < batchSize && jobs.length < total) return;
        const batch = jobs.slice(next, next + batchSize);
        next += batch.length;
        pending++;
        inFlight.set(worker, inFlight.get(worker)! + 1);
        worker.postMessage(batch);
      };
      feedOf?.onChange(() => {
        if (feedOf.failure) return fail(feedOf.failure.reason);
        for (const worker of workers) {
          while (inFlight.get(worker)! < IN_FLIGHT) {
            const before = next;
            feed(worker);
            if (next === before) break;
          }
        }
      });
      if (feedOf?.failure) fail(feedOf.failure.reason);
      for (const worker of workers) {
        worker.on('message', (reply: Reply<R>) => {
          pending--;
          inFlight.set(worker, inFlight.get(worker)! - 1);
          if ('error' in reply) {
            const { error } = reply;
            fail(error.arbor
              ? new ArborError(error.code ?? 'ARBOR_INTERNAL', error.message, { hint: error.hint })
              : Object.assign(new Error(error.message), { code: error.code, stack: error.stack }));
            return;
          }
          for (const result of reply.results) results[result.index] = result;
          options.onResults?.(reply.results);
          if (options.signal?.aborted) return fail(options.signal.reason);
          feed(worker);
          if (pending === 0 && next >= total && !settled) {
            settled = true;
            resolve();
          }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (code !== 0) fail(new Error(`worker thread exited with code ${code}`));
        });
        for (let slot = 0; slot < IN_FLIGHT; slot++) feed(worker);
      }
    });
  } finally {
    if (feedOf) feedOf.stopped = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}

/** The worker side: answers each batch with its results, or the first error as plain data. */
export function serveJobs<J, R>(handle: (job: J) => R): void {
  parentPort!.on('message', (batch: J[]) => {
    const results: R[] = [];
    try {
      for (const job of batch) results.push(handle(job));
      parentPort!.postMessage({ results } satisfies Reply<R>);
    } catch (error) {
      const failure = error as Error & { code?: string; hint?: string };
      parentPort!.postMessage({
        error: { message: failure.message, code: failure.code, hint: failure.hint, arbor: error instanceof ArborError, stack: failure.stack },
      } satisfies Reply<R>);
    }
  });
}
