import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** The tools of the kill -9 loops: a command killed at a chosen point of its work. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the child's exit code once it has exited (null when a signal ended it). */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** A deterministic PRNG (mulberry32), so a failing kill point can be replayed. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `node ARGS` and, `killAfter` ms after it takes the sysroot lock in `lockFile` (its work
 * begins), SIGKILLs it unless it finished. Without `killAfter` it runs to the end; `work` is
 * then how long it held the lock, the span to pick kill points from (0 when it failed).
 */
export async function runKilledAfterLock(args: string[], lockFile: string, killAfter?: number): Promise<{ killed: boolean; work: number; code: number | null }> {
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  const done = exited(child);
  let finished = false;
  void done.then(() => { finished = true; });
  while (!finished && !fs.readFileSync(lockFile, 'utf8').startsWith(`${child.pid} `)) await sleep(2);
  const started = Date.now();
  if (killAfter !== undefined) {
    await Promise.race([sleep(killAfter), done]);
    if (!finished) child.kill('SIGKILL');
  }
  const code = await done;
  return { killed: child.signalCode === 'SIGKILL', work: code === 0 ? Date.now() - started : 0, code };
}
