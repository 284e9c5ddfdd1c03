import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { ingestFileObject, type IngestRequest } from './ingestFileObject';
import { stagingError } from './stagingError';

/** Worker-thread entry for FileObjectWorkers: one fetched file object in, ok or an error out. */
parentPort?.on('message', (message: { seq: number; request: IngestRequest }) => {
  try {
    ingestFileObject(message.request);
    parentPort!.postMessage({ seq: message.seq, ok: true });
  } catch (caught) {
    const error = stagingError(caught, `Object ${message.request.id}.filez from ${message.request.source}`, path.dirname(message.request.dest));
    const { code, message: text, hint } = error as { code?: string; message?: string; hint?: string };
    parentPort!.postMessage({ seq: message.seq, ok: false, code, message: text ?? String(error), hint });
  }
});
