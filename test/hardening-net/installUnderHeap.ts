import { spawn } from 'node:child_process';

/** What one install in a child process with a small heap did. */
export interface HeapRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/**
 * Installs `packageFile` into `tree` in a child node with `--max-old-space-size=<heapMb>`, so a
 * package that blows up memory aborts that child (signal or V8 "heap out of memory") instead of
 * the test runner. Prints `ok` on success, else the error's code and message.
 */
export function installUnderHeap(packageFile: string, tree: string, heapMb = 512, timeoutMs = 60_000): Promise<HeapRun> {
  const script = `
    const { installPackage } = require(${JSON.stringify(require.resolve('@arbor/plugin-rpm'))});
    installPackage(process.argv[1], { tree: process.argv[2] }).then(
      () => console.log('ok'),
      (error) => { console.log(error.code + ' ' + error.message); process.exitCode = 1; });`;
  const started = Date.now();
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '-e', script, packageFile, tree], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4096)));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: stdout.slice(0, 4096), stderr, seconds: (Date.now() - started) / 1000 });
    });
  });
}
