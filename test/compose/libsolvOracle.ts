import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One install job as libsolv's testcase format writes it (testcase.c `job install ...`). */
export type OracleJob =
  | { name: string }
  | { provides: string }
  | { pkg: string }
  | { lock: string };

export interface OracleResult {
  /** NEVRAs libsolv installs, sorted. */
  installed: string[];
  /** The `info` line of each problem, e.g. "nothing provides req = 1:2-3 needed by unresolvable-1:2-3.noarch". */
  problems: string[];
}

/**
 * Asks libsolv what it would install into an empty x86_64 root: the repo is converted with
 * repo2solv (libsolv's own rpm-md reader), the jobs are written as a testsolv testcase with an
 * empty expected result, and testsolv prints the difference, i.e. its own answer.
 */
export function libsolvResolve(repoDir: string, jobs: OracleJob[], workDir: string): OracleResult {
  fs.mkdirSync(workDir, { recursive: true });
  const solv = path.join(workDir, 'repo.solv');
  if (!fs.existsSync(solv)) execFileSync('repo2solv', ['-o', solv, repoDir]);
  const lines = [
    'repo system 0 empty',
    'repo available 0 solv repo.solv',
    'system x86_64 rpm system',
    ...jobs.map((job) => {
      if ('name' in job) return `job install name ${job.name}`;
      if ('provides' in job) return `job install provides ${job.provides}`;
      if ('lock' in job) return `job lock name ${job.lock}`;
      return `job install pkg ${job.pkg}@available`;
    }),
    'result transaction,problems <inline>',
  ];
  const testcase = path.join(workDir, 'case.t');
  fs.writeFileSync(testcase, `${lines.join('\n')}\n`);
  const run = spawnSync('testsolv', [testcase], { cwd: workDir, encoding: 'utf8' });
  if (run.error) throw run.error;
  const installed: string[] = [];
  const problems: string[] = [];
  for (const line of run.stdout.split('\n')) {
    const install = /^\+install (\S+)@available$/.exec(line);
    if (install) installed.push(install[1]!);
    const problem = /^\+problem \S+ info (.*)$/.exec(line);
    if (problem) problems.push(problem[1]!);
  }
  return { installed: installed.sort(), problems };
}
