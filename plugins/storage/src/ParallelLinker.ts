import { Worker } from 'node:worker_threads';

/**
 * link(2) on two threads. A hardlink checkout is a syscall floor (PERFORMANCE.md), so the main
 * thread makes directories while two workers link files into the directories already made.
 * The worker code is a few lines of plain fs calls, started from source so it loads nothing.
 * A link that fails (EEXIST in a union, EXDEV, EMLINK, a missing object) is not thrown in the
 * worker: it is sent back, and the caller redoes it on the main thread with the placer's full
 * error handling. Failures are rare, so that path costs nothing in the common case.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
parentPort.on('message', (batch) => {
  const failed = [];
  for (let index = 0; index < batch.length; index += 3) {
    try {
      fs.linkSync(batch[index], batch[index + 1]);
    } catch (error) {
      failed.push(batch[index + 2]);
    }
  }
  parentPort.postMessage(failed);
});
`;

const BATCH = 384;

export class ParallelLinker {
  private readonly workers: Worker[];
  private readonly pendingBy: number[];
  private batch: Array<string | Uint8Array | number> = [];
  private outstanding = 0;
  private readonly failed: number[] = [];
  private error: unknown;
  private drained: (() => void) | undefined;

  constructor(threads = 2) {
    this.workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true }));
    this.pendingBy = this.workers.map(() => 0);
    this.workers.forEach((worker, index) => {
      worker.on('message', (failed: number[]) => {
        this.pendingBy[index]!--;
        this.outstanding--;
        for (const job of failed) this.failed.push(job);
        if (this.outstanding === 0) this.drained?.();
      });
      worker.on('error', (error) => {
        this.error ??= error;
        this.drained?.();
      });
    });
  }

  /** Queues link(object, dest); `job` identifies it if it has to be redone. */
  link(object: string, dest: string | Buffer, job: number): void {
    this.batch.push(object, dest, job);
    if (this.batch.length >= BATCH * 3) this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    // The least busy worker gets the batch.
    let target = 0;
    for (let index = 1; index < this.workers.length; index++) if (this.pendingBy[index]! < this.pendingBy[target]!) target = index;
    this.pendingBy[target]!++;
    this.outstanding++;
    this.workers[target]!.postMessage(this.batch);
    this.batch = [];
  }

  /** Waits for every queued link; returns the jobs that failed, to redo on the main thread. */
  async finish(): Promise<number[]> {
    this.flush();
    try {
      if (this.outstanding > 0 && !this.error) await new Promise<void>((resolve) => { this.drained = resolve; });
      if (this.error) throw this.error;
      return this.failed.sort((a, b) => a - b);
    } finally {
      await Promise.all(this.workers.map((worker) => worker.terminate()));
    }
  }
}
