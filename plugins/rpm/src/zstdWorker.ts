import { parentPort } from 'node:worker_threads';

/**
 * The worker side of zstdInWorker: decompresses zstd in its own thread, so the main thread
 * writes files while the next part of the payload is decoded (rpm2cpio | cpio gets the same
 * overlap from being two processes). Each reply holds at most BATCH bytes, so a small input
 * that expands enormously cannot flood the main thread's memory, and output buffers come
 * back once read and are reused, so a long payload allocates nothing after the first batches.
 *
 * Messages in: {input} starts or continues a stream with more compressed bytes; {more} asks
 * for the rest of the current input's output; {recycle} returns spent output buffers;
 * {reset} ends the stream. Out: {chunks, needInput, frameOpen} or {error}.
 */
interface DCtx {
  decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
}

interface Request {
  input?: Uint8Array;
  more?: boolean;
  recycle?: ArrayBuffer[];
  reset?: boolean;
}

const OUT_SIZE = 1 << 20;
const BATCH = 4 << 20;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const binding = require('zstd-napi/binding') as { DCtx: new () => DCtx };
const free: Uint8Array[] = [];
let dctx: DCtx | undefined;
let input: Uint8Array = new Uint8Array(0);

parentPort!.on('message', (request: Request) => {
  for (const buffer of request.recycle ?? []) free.push(new Uint8Array(buffer));
  if (request.reset) {
    dctx = undefined;
    return;
  }
  if (!request.input && !request.more) return;
  try {
    dctx ??= new binding.DCtx();
    if (request.input) input = request.input;
    const chunks: Uint8Array[] = [];
    let produced = 0;
    for (;;) {
      const out = free.pop() ?? new Uint8Array(OUT_SIZE);
      const [remaining, made, consumed] = dctx.decompressStream(out, input);
      input = input.subarray(consumed);
      if (made > 0) {
        chunks.push(out.subarray(0, made));
        produced += made;
      } else {
        free.push(out);
      }
      const needInput = input.length === 0 && made < OUT_SIZE;
      if (needInput || produced >= BATCH) {
        parentPort!.postMessage({ chunks, needInput, frameOpen: remaining !== 0 }, chunks.map((chunk) => chunk.buffer as ArrayBuffer));
        return;
      }
    }
  } catch (error) {
    dctx = undefined;
    parentPort!.postMessage({ error: (error as Error).message });
  }
});
