import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
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
