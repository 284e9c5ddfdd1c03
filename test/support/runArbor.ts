import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import path from 'node:path';

/** The repository root, found from this compiled file (test/dist/support/). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARBOR_BIN = path.join(REPO_ROOT, 'core', 'bin', 'run.js');
/** Real-world fixtures kept in the repository (test/fixtures/SOURCES.md says where each came from). */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

export interface ArborRun {
  status: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON, for `--json` runs. */
  json<T = unknown>(): T;
}

/** Runs the real `arbor` CLI in a child process, as a user would. */
export function runArbor(args: string[], options: SpawnSyncOptions = {}): ArborRun {
  const result = spawnSync(process.execPath, [ARBOR_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBUG: '' },
    ...options,
  });
  if (result.error) throw result.error;
  const stdout = String(result.stdout);
  return {
    status: result.status ?? -1,
    stdout,
    stderr: String(result.stderr),
    json<T>() {
      try {
        return JSON.parse(stdout) as T;
      } catch {
        throw new Error(`arbor ${args.join(' ')} printed no JSON on stdout:\n${stdout}\nstderr:\n${result.stderr}`);
      }
    },
  };
}
