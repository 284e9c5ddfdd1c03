import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import { assertRealDirectory } from '../../fs/SafePath';
import { copyTree } from '../copyTree';

/**
 * Gives a fresh checkout its etc/ (docs/sysroot.md, the /etc merge.2). The commit's defaults live in
 * usr/etc; a commit that has only /etc (a plain rootfs) has it moved to usr/etc first. The
 * etc/ the system runs with is then a full, real copy of usr/etc: the admin edits it, and
 * usr/etc stays the hardlinked, read-only default the next merge compares against.
 */
export function prepareEtc(deployment: string): void {
  const usrEtc = path.join(deployment, 'usr', 'etc');
  const etc = path.join(deployment, 'etc');
  // A commit's usr, usr/etc or etc that links elsewhere would make every later write to the
  // deployment's etc land outside it.
  assertRealDirectory(path.join(deployment, 'usr'), 'The commit\'s /usr', true);
  refuseNonDirectory(usrEtc, '/usr/etc');
  refuseNonDirectory(etc, '/etc');
  const hasUsrEtc = isDirectory(usrEtc);
  const hasEtc = exists(etc);
  if (hasEtc && hasUsrEtc) {
    throw new ArborError(ErrorCode.ETC_BOTH, `The commit has both /etc and /usr/etc`, {
      hint: 'A commit keeps its config defaults in /usr/etc only (compose moves /etc there)',
    });
  }
  if (hasEtc) {
    fs.mkdirSync(path.join(deployment, 'usr'), { recursive: true });
    fs.renameSync(etc, usrEtc);
  } else if (!hasUsrEtc) {
    fs.mkdirSync(usrEtc, { recursive: true, mode: 0o755 });
  }
  copyTree(usrEtc, etc);
}

function refuseNonDirectory(file: string, name: string): void {
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat || stat.isDirectory()) return;
  throw new ArborError(ErrorCode.ETC_NOT_DIRECTORY, `The commit's ${name} is ${stat.isSymbolicLink() ? `a symlink to ${fs.readlinkSync(file)}` : 'not a directory'}`, {
    hint: `A commit keeps its config defaults in a real ${name} directory; fix the tree and commit again`,
  });
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.lstatSync(file).isDirectory();
  } catch {
    return false;
  }
}
