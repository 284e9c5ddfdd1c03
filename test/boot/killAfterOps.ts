/**
 * Preloaded into an `arbor` child (`node --require killAfterOps.js`) to crash it at an exact
 * point: it counts the filesystem changes made under ARBOR_TEST_KILL_DIRS (':'-separated):
 * creating or opening for write, rename, unlink, rmdir, mkdir, copy. When the count would
 * reach ARBOR_TEST_KILL_AFTER_OPS, the process SIGKILLs itself before doing that change, as a
 * crash between two syscalls would leave the disk. ARBOR_TEST_KILL_BEFORE=`<operation> <path>`
 * (e.g. `rename /s/arbor/boot`) kills it just before that one change instead. With ARBOR_TEST_OPS_LOG set, each change
 * is appended there first, so a test can count a whole run's changes and spread kills over them.
 */
import fs from 'node:fs';
import path from 'node:path';

const roots = (process.env.ARBOR_TEST_KILL_DIRS ?? '').split(':').filter(Boolean).map((dir) => path.resolve(dir));
const limit = Number(process.env.ARBOR_TEST_KILL_AFTER_OPS ?? 0);
const log = process.env.ARBOR_TEST_OPS_LOG;
const before = process.env.ARBOR_TEST_KILL_BEFORE;
let count = 0;

function watched(file: unknown): boolean {
  if (typeof file !== 'string') return false;
  const full = path.resolve(file);
  return roots.some((root) => full === root || full.startsWith(`${root}/`));
}

function change(operation: string, file: string): void {
  count++;
  if (limit > 0 && count >= limit) process.kill(process.pid, 'SIGKILL');
  if (before && before === `${operation} ${path.resolve(file)}`) process.kill(process.pid, 'SIGKILL');
  if (log) original.appendFileSync(log, `${count} ${operation} ${path.resolve(file)}\n`);
}

const original = { ...fs };

/** open(2) flags or fopen-style strings that can create or change a file. */
function writes(flags: unknown): boolean {
  if (flags === undefined) return false;
  if (typeof flags === 'number') return (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC)) !== 0;
  return /[wa+]/.test(String(flags));
}

if (roots.length > 0) {
  const wrap = (name: keyof typeof fs, operation: string, pathIndex: number, when: (args: unknown[]) => boolean = () => true) => {
    const fn = original[name] as (...args: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (watched(args[pathIndex]) && when(args)) change(operation, args[pathIndex] as string);
      return fn(...args);
    };
  };
  wrap('openSync', 'open-for-write', 0, (args) => writes(args[1]));
  wrap('writeFileSync', 'write', 0);
  wrap('appendFileSync', 'append', 0);
  wrap('renameSync', 'rename', 1);
  wrap('copyFileSync', 'copy', 1);
  wrap('unlinkSync', 'unlink', 0);
  wrap('rmSync', 'rm', 0);
  wrap('rmdirSync', 'rmdir', 0);
  wrap('mkdirSync', 'mkdir', 0);
  wrap('symlinkSync', 'symlink', 1);
}
