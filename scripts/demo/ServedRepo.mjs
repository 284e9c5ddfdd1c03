// `arbor serve` on loopback, started in the background as the demo's child and stopped by pid.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { REPO_ROOT } from './sampleOs.mjs';

/** Starts `arbor serve --repo REPO --port 0` and resolves with its URL once it listens. */
export async function serveRepo(repo) {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'core', 'bin', 'run.js'), 'serve', '--repo', repo, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    return exited;
  };
  onCleanup(stop);
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(seen);
      if (match) resolve(match[1]);
    });
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.once('exit', (code) => reject(new Error(`arbor serve exited with ${code}: ${errors}`)));
  });
  return { url, stop };
}
