import fs from 'node:fs';
import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { Repo } from '../store/Repo';
import { checkStaterootName, Sysroot } from './Sysroot';
import { DEFAULT_BOOTLOADER, readSysrootConfig, writeSysrootConfig, type SysrootConfig } from './SysrootConfig';
import { withSysrootLock } from './SysrootLock';

export interface InitSysrootOptions {
  sysroot: string;
  stateroot: string;
  /** From `--bootloader` or the config; recorded on first init. */
  bootloader?: string;
  esp?: string;
  /** From the config's `storage`; recorded on first init (deploy and cleanup use it). */
  storage?: string;
  /** The plugins in force: the bootloader and storage names are checked against theirs. */
  arbor?: Arbor;
  /** Where the bootloader name came from, for the error that names it. */
  bootloaderSource?: string;
}

export interface InitSysrootResult {
  sysroot: string;
  stateroot: string;
  repo: string;
  bootloader: string;
  /** False when the sysroot existed and only the stateroot was added (or nothing). */
  created: boolean;
}

/**
 * `arbor sysroot init S --stateroot NAME`: lays out docs/sysroot.md (the repo, the
 * stateroot's var and deploy directories, /boot) and records the bootloader in
 * `arbor/config.json`. Running it again on the same sysroot adds a stateroot; the recorded
 * bootloader never changes silently. The config is written last, so an interrupted init
 * never looks like a sysroot.
 */
export async function initSysroot(options: InitSysrootOptions): Promise<InitSysrootResult> {
  const stateroot = checkStaterootName(options.stateroot);
  if (options.bootloader) options.arbor?.bootloaders.assertKnown(options.bootloader, options.bootloaderSource ?? '--bootloader');
  const layout = Sysroot.layout(options.sysroot);
  fs.mkdirSync(layout.arbor, { recursive: true, mode: 0o755 });
  return withSysrootLock(layout.root, { purpose: 'sysroot init' }, async () => {
    const existing = fs.existsSync(layout.config) ? readSysrootConfig(layout.config) : undefined;
    if (existing && options.bootloader && options.bootloader !== existing.bootloader) {
      throw new ArborError(ErrorCode.USAGE, `Sysroot ${layout.root} already records bootloader "${existing.bootloader}", not "${options.bootloader}"`, {
        hint: 'Leave out --bootloader (and the config\'s bootloader) to add a stateroot to it',
      });
    }
    Repo.init(layout.repo, { mode: process.getuid?.() === 0 ? 'bare' : 'user' });
    const staterootDir = path.join(layout.deploy, stateroot);
    for (const dir of [path.join(staterootDir, 'var'), path.join(staterootDir, 'deploy'), layout.boot]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    }
    const config: SysrootConfig = existing ?? {
      bootloader: options.bootloader ?? DEFAULT_BOOTLOADER,
      ...(options.esp ? { esp: options.esp } : {}),
      ...(options.storage ? { storage: options.storage } : {}),
    };
    if (!existing) writeSysrootConfig(layout.config, config);
    return { sysroot: layout.root, stateroot, repo: layout.repo, bootloader: config.bootloader, created: !existing };
  });
}
