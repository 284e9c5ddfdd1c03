import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ARBOR_BIN } from '../support/runArbor';

export interface MeasuredRun {
  status: number;
  stderr: string;
  stdout: string;
  /** The most bytes seen at once under the watched directory. */
  peakBytes: number;
  /** Maximum resident set size of the arbor process, from GNU time. */
  maxRssBytes: number;
  /** The run passed `killAboveBytes` (or the timeout) and was killed. */
  killed: boolean;
  seconds: number;
}

export interface MeasureOptions {
  /** A directory whose total file size is sampled while the command runs (a repo's tmp/). */
  watch: string;
  /** Kill the command once the watched directory holds more than this. */
  killAboveBytes: number;
  timeoutMs: number;
  /** Node flags, e.g. --max-old-space-size=512. */
  nodeFlags?: string[];
}

/**
 * Runs the arbor CLI under GNU time (for its peak RSS) while sampling the bytes under a
 * directory every 20 ms. A run that passes the byte limit or the timeout is killed, so a
 * regression fails the test in seconds instead of filling the disk.
 */
export async function measuredArbor(args: string[], options: MeasureOptions): Promise<MeasuredRun> {
  const started = Date.now();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss-kb=%M', process.execPath, ...(options.nodeFlags ?? []), ARBOR_BIN, ...args], {
    env: { ...process.env, DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let peakBytes = 0;
  let killed = false;
  const kill = () => {
    killed = true;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const sampler = setInterval(() => {
    const bytes = directoryBytes(options.watch);
    peakBytes = Math.max(peakBytes, bytes);
    if (bytes > options.killAboveBytes) kill();
  }, 20);
  const timer = setTimeout(kill, options.timeoutMs);
  const status = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  clearInterval(sampler);
  clearTimeout(timer);
  const rss = /maxrss-kb=(\d+)/.exec(stderr);
  stderr = stderr.replace(/^.*maxrss-kb=\d+\n?/m, '').replace(/^Command (exited with non-zero status|terminated by signal) \d+\n/m, '');
  return { status, stdout, stderr, peakBytes, maxRssBytes: rss ? Number(rss[1]) * 1024 : 0, killed, seconds: (Date.now() - started) / 1000 };
}

/** Apparent bytes of every file under `dir` (files vanish while we look; they count as 0). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of names) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(full);
    else {
      try {
        total += fs.lstatSync(full).blocks * 512;
      } catch {
        // removed meanwhile
      }
    }
  }
  return total;
}
