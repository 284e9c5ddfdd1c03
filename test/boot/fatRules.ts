/**
 * Preloaded into `arbor` child processes (`node --require fatRules.js`) to hold them to FAT's
 * rules on the directories named in ARBOR_TEST_FAT_DIRS (':'-separated), where the real
 * filesystem is ext4 or tmpfs because this kernel has no vfat driver:
 *
 * - symlink() and link() there fail with EPERM, as vfat answers (or ENOSYS, as FUSE FAT
 *   drivers do, with ARBOR_TEST_FAT_ERRNO=ENOSYS);
 * - every attempt is logged to ARBOR_TEST_FAT_LOG, and so is every name created there that
 *   differs only in case from a sibling (FAT would fold the two into one entry).
 *
 * It patches node:fs, which every write in Arbor goes through; a test then asserts the log
 * has no symlink, link or case clash in it.
 */
import fs from 'node:fs';
import path from 'node:path';

const roots = (process.env.ARBOR_TEST_FAT_DIRS ?? '').split(':').filter(Boolean).map((dir) => path.resolve(dir));
const log = process.env.ARBOR_TEST_FAT_LOG;

function onFat(file: fs.PathLike): boolean {
  const full = path.resolve(String(file));
  return roots.some((root) => full === root || full.startsWith(`${root}/`));
}

function record(event: string, file: fs.PathLike): void {
  if (log) fs.appendFileSync(log, `${event} ${path.resolve(String(file))}\n`);
}

/** vfat's answer by default; ARBOR_TEST_FAT_ERRNO=ENOSYS gives a FUSE FAT driver's. */
const errno = process.env.ARBOR_TEST_FAT_ERRNO === 'ENOSYS' ? 'ENOSYS' : 'EPERM';

function refused(syscall: string, file: fs.PathLike): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${errno}: ${errno === 'EPERM' ? 'operation not permitted' : 'function not implemented'}, ${syscall} '${String(file)}'`);
  error.code = errno;
  error.errno = -1;
  error.syscall = syscall;
  error.path = String(file);
  return error;
}

/** Logs a new name whose lowercase form another entry of its directory already has. */
function checkCase(file: fs.PathLike): void {
  if (!onFat(file)) return;
  const full = path.resolve(String(file));
  let siblings: string[];
  try {
    siblings = fs.readdirSync(path.dirname(full));
  } catch {
    return;
  }
  const name = path.basename(full);
  const clash = siblings.find((sibling) => sibling !== name && sibling.toLowerCase() === name.toLowerCase());
  if (clash) record(`case-clash(${clash})`, full);
}

if (roots.length > 0) {
  const original = { ...fs };
  const patchSync = (name: 'symlinkSync' | 'linkSync', syscall: string) => {
    (fs as unknown as Record<string, unknown>)[name] = (target: fs.PathLike, link: fs.PathLike, ...rest: unknown[]) => {
      if (onFat(link)) {
        record(syscall, link);
        throw refused(syscall, link);
      }
      return (original[name] as (...args: unknown[]) => unknown)(target, link, ...rest);
    };
  };
  patchSync('symlinkSync', 'symlink');
  patchSync('linkSync', 'link');
  for (const [name, syscall] of [['symlink', 'symlink'], ['link', 'link']] as const) {
    const callbackVersion = original[name] as (...args: unknown[]) => void;
    (fs as unknown as Record<string, unknown>)[name] = (target: fs.PathLike, link: fs.PathLike, ...rest: unknown[]) => {
      const callback = rest.at(-1) as (error: Error | null) => void;
      if (onFat(link)) {
        record(syscall, link);
        process.nextTick(() => callback(refused(syscall, link)));
        return;
      }
      callbackVersion(target, link, ...rest);
    };
    const promiseVersion = original.promises[name] as (...args: unknown[]) => Promise<void>;
    (fs.promises as unknown as Record<string, unknown>)[name] = async (target: fs.PathLike, link: fs.PathLike, ...rest: unknown[]) => {
      if (onFat(link)) {
        record(syscall, link);
        throw refused(syscall, link);
      }
      return promiseVersion(target, link, ...rest);
    };
  }
  const wrapCreate = <K extends 'renameSync' | 'mkdirSync' | 'copyFileSync' | 'writeFileSync' | 'openSync'>(name: K, targetIndex: number) => {
    const fn = original[name] as (...args: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      const target = args[targetIndex];
      if (typeof target === 'string') checkCase(target);
      return fn(...args);
    };
  };
  wrapCreate('renameSync', 1);
  wrapCreate('mkdirSync', 0);
  wrapCreate('copyFileSync', 1);
  wrapCreate('writeFileSync', 0);
  wrapCreate('openSync', 0);
}
