import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * The repo a remote command works on: `--repo R`, or `--sysroot S` meaning `S/arbor/repo`
 * (docs/sysroot.md). It must already be a repo; remotes are never the thing that creates one.
 */
export function repoPath(flags: { repo?: string; sysroot?: string }): string {
  const repo = path.resolve(flags.repo ?? path.join(flags.sysroot ?? '/', 'arbor', 'repo'));
  if (!fs.existsSync(path.join(repo, 'config'))) {
    throw new ArborError(ErrorCode.STORE_NOT_A_REPO, `${repo} is not an Arbor repo (no config)`, {
      hint: flags.sysroot ? 'Initialize the sysroot first: arbor sysroot init' : 'Create it first: arbor init --repo R',
    });
  }
  return repo;
}
