import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzFinding, FuzzWorkerData } from './fuzzWorker';

export interface FuzzOptions {
  target: string;
  seconds: number;
  seed?: number;
  /** Stop after this many executions (default: no limit but time). */
  maxExecs?: number;
  /** One input may run this long before it counts as a hang. */
  hangMs?: number;
  /** The worker's V8 heap (inputs are at most 256 KiB: anything near this is unbounded growth). */
  heapMb?: number;
  rssLimitBytes?: number;
  /** Where findings are written as `<kind>-<sha1>.bin` (and `.txt`); none when omitted. */
  findingsDir?: string;
}

export interface FuzzResult {
  target: string;
  execs: number;
  seeds: number;
  corpus: number;
  coverage: number;
  findings: FuzzFinding[];
  seconds: number;
}

const MAX_SHARED_INPUT = 1 << 20;

/**
 * Runs one target for `seconds` in a worker thread and watches it: a run that stops counting
 * executions for `hangMs` is a hang, a worker that dies (V8's heap limit) is a memory finding;
 * either way the input it was running is in the shared buffer and is kept.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const hangMs = options.hangMs ?? 10_000;
  const shared = new SharedArrayBuffer(8 + MAX_SHARED_INPUT);
  const counters = new Int32Array(shared, 0, 2);
  const inputView = new Uint8Array(shared, 8);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `arbor-fuzz-${options.target}-`));
  const work = path.join(scratch, 'work');
  fs.mkdirSync(work);
  const data: FuzzWorkerData = {
    target: options.target,
    seed: options.seed ?? 1,
    deadline: started + options.seconds * 1000,
    maxExecs: options.maxExecs ?? Number.MAX_SAFE_INTEGER,
    shared,
    work,
    rssLimit: options.rssLimitBytes ?? 2 * 1024 ** 3,
  };
  const findings: FuzzFinding[] = [];
  const keep = (finding: FuzzFinding) => {
    findings.push(finding);
    if (!options.findingsDir) return;
    const dir = path.join(options.findingsDir, options.target);
    fs.mkdirSync(dir, { recursive: true });
    const name = `${finding.kind}-${crypto.createHash('sha1').update(finding.input).digest('hex').slice(0, 16)}`;
    fs.writeFileSync(path.join(dir, `${name}.bin`), finding.input);
    fs.writeFileSync(path.join(dir, `${name}.txt`), `${finding.message}\n`);
  };
  const current = () => Buffer.from(inputView.subarray(0, Math.min(Atomics.load(counters, 1), MAX_SHARED_INPUT)));
  const worker = new Worker(path.join(__dirname, 'fuzzWorker.js'), {
    workerData: data,
    resourceLimits: { maxOldGenerationSizeMb: options.heapMb ?? 512 },
  });
  try {
    return await new Promise<FuzzResult>((resolve, reject) => {
      let lastCount = -1;
      let lastChange = Date.now();
      let done = false;
      const finish = (summary: Omit<FuzzResult, 'findings' | 'seconds' | 'target'>) => {
        done = true;
        clearInterval(watchdog);
        resolve({ target: options.target, ...summary, findings, seconds: (Date.now() - started) / 1000 });
      };
      const watchdog = setInterval(() => {
        const count = Atomics.load(counters, 0);
        if (count !== lastCount) {
          lastCount = count;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > hangMs) {
          keep({ kind: 'hang', message: `one input ran for more than ${hangMs} ms`, input: current() });
          void worker.terminate();
          finish({ execs: count, seeds: 0, corpus: 0, coverage: 0 });
        }
      }, 200);
      worker.on('message', (message: { type: string; finding?: FuzzFinding; message?: string; execs?: number; corpus?: number; seeds?: number; coverage?: number }) => {
        if (message.type === 'finding') keep({ ...message.finding!, input: Buffer.from(message.finding!.input) });
        else if (message.type === 'error') reject(new Error(`fuzz worker for ${options.target} failed: ${message.message}`));
        else if (message.type === 'done') finish({ execs: message.execs!, seeds: message.seeds!, corpus: message.corpus!, coverage: message.coverage! });
      });
      worker.on('error', (error) => {
        if (done) return;
        keep({ kind: 'memory', message: `the target's worker died: ${error.message}`, input: current() });
        finish({ execs: Atomics.load(counters, 0), seeds: 0, corpus: 0, coverage: 0 });
      });
      worker.on('exit', () => {
        if (!done) finish({ execs: Atomics.load(counters, 0), seeds: 0, corpus: 0, coverage: 0 });
      });
    });
  } finally {
    await worker.terminate();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
