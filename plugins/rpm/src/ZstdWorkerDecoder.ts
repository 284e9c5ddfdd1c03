import path from 'node:path';
import { Worker } from 'node:worker_threads';

interface Reply {
  chunks?: Uint8Array[];
  needInput?: boolean;
  frameOpen?: boolean;
  error?: string;
}

/** Idle decoder threads, kept for the next package of a compose (starting one costs ~40 ms). */
const idle: Worker[] = [];

/**
 * Batches a consumer may still be reading from: slices of a chunk can outlive it briefly (a
 * cpio header read across two chunks), so a batch goes back to the worker for reuse only
 * when two newer ones have been handed out.
 */
const BATCHES_IN_USE = 2;

/**
 * Decompresses a zstd stream in a worker thread (zstdWorker.ts), one batch ahead of the
 * consumer: while the caller writes the files of one batch, the worker decodes the next.
 * Memory stays bounded by a few batches whatever the compression ratio, and buffers are
 * reused rather than left to the garbage collector.
 */
export async function* zstdInWorker(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const worker = idle.pop() ?? startWorker();
  worker.ref();
  const source = compressed[Symbol.asyncIterator]();
  let clean = false;
  let pending: Promise<Reply> | undefined;
  const handedOut: ArrayBuffer[][] = [];
  const spent = () => (handedOut.length > BATCHES_IN_USE ? handedOut.shift()! : []);
  const ask = (message: object): Promise<Reply> => new Promise((resolve, reject) => {
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) => settle(() => reject(new Error(`the zstd decoder thread exited with ${code}`)));
    const onMessage = (reply: Reply) => settle(() => resolve(reply));
    const settle = (done: () => void) => {
      worker.off('error', onError).off('exit', onExit).off('message', onMessage);
      done();
    };
    worker.on('error', onError).on('exit', onExit).on('message', onMessage);
    const recycle = spent();
    worker.postMessage({ ...message, recycle }, recycle);
  });
  try {
    const first = await source.next();
    if (first.done) {
      clean = true;
      return;
    }
    pending = ask({ input: first.value });
    let frameOpen = false;
    while (pending) {
      const reply: Reply = await pending;
      if (reply.error) throw new Error(reply.error);
      frameOpen = reply.frameOpen ?? false;
      pending = undefined;
      if (!reply.needInput) {
        pending = ask({ more: true });
      } else {
        const next = await source.next();
        if (!next.done) pending = ask({ input: next.value });
      }
      const chunks = reply.chunks ?? [];
      handedOut.push(chunks.map((chunk) => chunk.buffer as ArrayBuffer));
      for (const chunk of chunks) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (frameOpen) throw new Error('the zstd frame ends early');
    clean = true;
  } finally {
    if (clean) {
      worker.postMessage({ reset: true });
      worker.unref();
      idle.push(worker);
    } else {
      // Stopped early (an error, or the consumer gave up): the reply in flight is moot.
      pending?.catch(() => undefined);
      void worker.terminate();
    }
  }
}

function startWorker(): Worker {
  const worker = new Worker(path.join(__dirname, 'zstdWorker.js'));
  worker.unref();
  return worker;
}
