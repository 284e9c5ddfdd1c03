import { workerData } from 'node:worker_threads';
import { FileVerifier } from './FileVerifier';
import { serveJobs } from './WorkerPool';

/** Worker thread of fsck: re-hashes file objects. */
const verifier = new FileVerifier(workerData as ConstructorParameters<typeof FileVerifier>[0]);
serveJobs(verifier.verify.bind(verifier));
