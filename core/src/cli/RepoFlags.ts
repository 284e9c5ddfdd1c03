import * as Flags from '@oclif/core/flags';

/** `--repo R`, which every Repository command of docs/command-contract.md takes. */
export const repoFlag = Flags.string({ description: 'The repository directory', required: true, helpValue: 'R' });

/**
 * `--repo R` or `--sysroot S` (meaning S/arbor/repo), for the commands that read a repo, so
 * what a sysroot holds can be looked at without spelling out its repo's path.
 */
export const repoOrSysrootFlags = {
  repo: Flags.string({ description: 'The repository directory', helpValue: 'R', exactlyOne: ['repo', 'sysroot'] }),
  sysroot: Flags.string({ description: 'A sysroot: read its repo, SYSROOT/arbor/repo', helpValue: 'S' }),
};
