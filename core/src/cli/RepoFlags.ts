import * as Flags from '@oclif/core/flags';

/** `--repo R`, which every Repository command of docs/command-contract.md takes. */
export const repoFlag = Flags.string({ description: 'The repository directory', required: true, helpValue: 'R' });
