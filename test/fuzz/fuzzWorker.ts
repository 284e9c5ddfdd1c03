import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Mutator } from './Mutator';
import { findTarget } from './targets';
import { isArborError } from '@arbor/core';

/** What the worker is told; see runFuzz.ts. */
export interface FuzzWorkerData {
  target: string;
  seed: number;
  deadline: number;
  maxExecs: number;
  /** Shared with the parent: [execs, input length] then the input being run, for hangs and crashes. */
  shared: SharedArrayBuffer;
  work: string;
  rssLimit: number;
}

export interface FuzzFinding {
  kind: 'crash' | 'memory' | 'write' | 'hang';
  message: string;
  input: Buffer;
}

interface Profile {
  result: Array<{ url: string; functions: Array<{ ranges: Array<{ startOffset: number; endOffset: number; count: number }> }> }>;
}

/**
 * The fuzz loop for one target, inside a worker thread (so a hang or a blown heap kills the
 * worker, not the runner). Coverage comes from V8's precise block coverage through the
 * inspector: an input that reaches a new (block, hit-count bucket) pair of the target's modules
 * joins the corpus.
 */
async function main(data: FuzzWorkerData): Promise<void> {
  const target = findTarget(data.target);
  const counters = new Int32Array(data.shared, 0, 2);
  const inputView = new Uint8Array(data.shared, 8);
  const maxInput = Math.min(target.maxInput ?? 64 * 1024, inputView.length);
  const mutator = new Mutator(data.seed);
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  const seen = new Set<string>();
  const scripts = new Map<string, number>();
  const take = async (): Promise<number> => {
    const profile = (await session.post('Profiler.takePreciseCoverage')) as unknown as Profile;
    let fresh = 0;
    for (const script of profile.result) {
      if (!target.covers.some((fragment) => script.url.includes(fragment))) continue;
      let id = scripts.get(script.url);
      if (id === undefined) scripts.set(script.url, (id = scripts.size));
      for (const fn of script.functions) {
        for (const range of fn.ranges) {
          if (range.count === 0) continue;
          const key = `${id}:${range.startOffset}:${Math.min(8, Math.floor(Math.log2(range.count)))}`;
          if (!seen.has(key)) {
            seen.add(key);
            fresh++;
          }
        }
      }
    }
    return fresh;
  };
  const parent = path.dirname(data.work);
  const findings: FuzzFinding[] = [];
  const report = (finding: FuzzFinding) => {
    findings.push(finding);
    parentPort!.postMessage({ type: 'finding', finding });
  };
  const execute = async (input: Buffer): Promise<void> => {
    inputView.set(input.subarray(0, inputView.length));
    Atomics.store(counters, 1, input.length);
    try {
      await target.run(input, data.work);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const clean = isArborError(error) && typeof code === 'string' && code.startsWith('ARBOR_') && !(error as Error).message.includes('\n');
      if (!clean) report({ kind: 'crash', message: String((error as Error)?.stack ?? error).slice(0, 2000), input });
    }
    Atomics.add(counters, 0, 1);
    const rss = process.memoryUsage.rss();
    if (rss > data.rssLimit) report({ kind: 'memory', message: `RSS ${rss} bytes after an input of ${input.length}`, input });
    const outside = fs.readdirSync(parent).filter((name) => name !== path.basename(data.work));
    const extra = fs.readdirSync(data.work).filter((name) => !(target.allowedInWork ?? []).includes(name));
    if (outside.length || extra.length) report({ kind: 'write', message: `wrote ${[...outside.map((n) => `../${n}`), ...extra].join(', ')}`, input });
    for (const name of [...fs.readdirSync(data.work)]) fs.rmSync(path.join(data.work, name), { recursive: true, force: true });
    for (const name of outside) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  };
  const corpus: Buffer[] = [];
  for (const seed of await target.seeds()) {
    const input = seed.subarray(0, maxInput);
    await execute(input);
    if ((await take()) > 0 || corpus.length === 0) corpus.push(input);
  }
  const seedCount = corpus.length;
  let execs = corpus.length;
  while (Date.now() < data.deadline && execs < data.maxExecs && findings.length < 20) {
    // Favour recent finds (they are deeper), but keep drawing from the whole corpus.
    const base = mutator.below(3) === 0 ? corpus[corpus.length - 1 - mutator.below(Math.min(8, corpus.length))]! : mutator.pick(corpus);
    const input = mutator.mutate(base, corpus, maxInput);
    await execute(input);
    execs++;
    if ((await take()) > 0) corpus.push(input);
  }
  await session.post('Profiler.stopPreciseCoverage');
  session.disconnect();
  parentPort!.postMessage({ type: 'done', execs, corpus: corpus.length, seeds: seedCount, coverage: seen.size });
}

main(workerData as FuzzWorkerData).catch((error) => {
  parentPort!.postMessage({ type: 'error', message: String((error as Error)?.stack ?? error) });
});
