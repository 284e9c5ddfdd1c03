import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface InstalledOracleResult {
  /** NEVRAs libsolv installs from the repo, sorted. */
  installs: string[];
  /** NEVRAs libsolv erases from the system, sorted. */
  erases: string[];
  /** The `info` line of each problem. */
  problems: string[];
}

/**
 * Asks libsolv what installing and erasing does on top of a tree's installed set. The system
 * repo is the tree's own rpmdb read by rpmdb2solv (librpm, so it is also a check that the
 * database reads); libsolv 0.7.23 looks for it at var/lib/rpm, so a copy goes there, and
 * HOME points at macros naming that path. The available repo is converted by repo2solv.
 */
export function libsolvOnInstalled(tree: string, repoDir: string, jobs: { install?: string[]; erase?: string[] }, work: string): InstalledOracleResult {
  fs.rmSync(work, { recursive: true, force: true });
  const root = path.join(work, 'root');
  fs.mkdirSync(path.join(root, 'var/lib'), { recursive: true });
  fs.cpSync(path.join(tree, 'usr/lib/sysimage/rpm'), path.join(root, 'var/lib/rpm'), { recursive: true });
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, '.rpmmacros'), '%_dbpath /var/lib/rpm\n%_db_backend sqlite\n');
  execFileSync('rpmdb2solv', ['-r', root, '-o', path.join(work, 'system.solv')], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('repo2solv', ['-o', path.join(work, 'available.solv'), repoDir]);
  const lines = [
    'repo system 0 solv system.solv',
    'repo available 0 solv available.solv',
    'system x86_64 rpm system',
    ...(jobs.install ?? []).map((name) => `job install name ${name}`),
    ...(jobs.erase ?? []).map((name) => `job erase name ${name}`),
    'result transaction,problems <inline>',
  ];
  fs.writeFileSync(path.join(work, 'case.t'), `${lines.join('\n')}\n`);
  const run = spawnSync('testsolv', ['case.t'], { cwd: work, encoding: 'utf8' });
  if (run.error) throw run.error;
  const result: InstalledOracleResult = { installs: [], erases: [], problems: [] };
  for (const line of run.stdout.split('\n')) {
    const install = /^\+install (\S+)@available$/.exec(line);
    if (install) result.installs.push(install[1]!);
    const erase = /^\+erase (\S+)@system$/.exec(line);
    if (erase) result.erases.push(erase[1]!);
    const problem = /^\+problem \S+ info (.*)$/.exec(line);
    if (problem) result.problems.push(problem[1]!);
  }
  result.installs.sort();
  result.erases.sort();
  return result;
}
