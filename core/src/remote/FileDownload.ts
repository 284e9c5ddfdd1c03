import type { ProgressTask } from '../HookContext';
import type { ObjectId } from '../store/ObjectId';
import type { FileObjectFetcher } from './FileObjectFetcher';

/**
 * The file objects of a pull, fetched as the dirtree walk finds them rather than after it:
 * the walk is bound by round trips, and overlapping it with the downloads hides them. `window`
 * lanes each take the next ID from the queue; the transport bounds how many requests are
 * really in flight. The first failure stops every lane.
 */
export class FileDownload {
  bytes = 0;
  count = 0;
  private readonly queue: ObjectId[] = [];
  private readonly sleepers: (() => void)[] = [];
  private ended = false;
  private failure?: { error: unknown };
  private readonly lanes: Promise<void>[];

  constructor(private readonly fetcher: FileObjectFetcher, private readonly progress: ProgressTask, window: number, private readonly totalKnown: boolean) {
    this.lanes = Array.from({ length: window }, () => this.lane());
  }

  add(id: ObjectId): void {
    this.queue.push(id);
    if (!this.totalKnown) this.progress.setTotal(this.count + this.queue.length);
    this.sleepers.shift()?.();
  }

  /** No more IDs will come: waits for the queue to drain, and throws the first failure. */
  async finish(): Promise<void> {
    this.stop();
    await Promise.allSettled(this.lanes);
    if (this.failure) throw this.failure.error;
  }

  /** The walk failed: stop taking new IDs and let the lanes wind down. */
  async abort(): Promise<void> {
    this.failure ??= { error: new Error('aborted') };
    this.stop();
    await Promise.allSettled(this.lanes);
  }

  private stop(): void {
    this.ended = true;
    for (const wake of this.sleepers.splice(0)) wake();
  }

  private async lane(): Promise<void> {
    for (;;) {
      if (this.failure) return;
      const id = this.queue.shift();
      if (id === undefined) {
        if (this.ended) return;
        await new Promise<void>((resolve) => this.sleepers.push(resolve));
        continue;
      }
      try {
        const received = await this.fetcher.fetch(id);
        this.bytes += received;
        this.count++;
        this.progress.tick(1, received);
      } catch (error) {
        this.failure ??= { error };
        this.stop();
        return;
      }
    }
  }
}
