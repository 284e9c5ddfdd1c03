import { workerData } from 'node:worker_threads';
import { FileHasher, type FileHasherOptions } from './FileHasher';
import { serveJobs } from './WorkerPool';

/** Worker thread of commitTree: hashes tree files and stages the missing objects. */
const hasher = new FileHasher(workerData as FileHasherOptions);
serveJobs(hasher.hash.bind(hasher));
