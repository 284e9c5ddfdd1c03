/**
 * `@arbor/core/cli`: what a plugin's oclif commands build on. The base class, the flags Arbor's
 * own commands share, and oclif's `Args` and `Flags` builders, so that a plugin's commands use the
 * same @oclif/core as the CLI that runs them without depending on it. Keep it cheap: a command
 * module loads it on every run of that command, so nothing heavy belongs here (commands require
 * the library they call inside run()).
 */
export * as Args from '@oclif/core/args';
export * as Flags from '@oclif/core/flags';
export { ArborCommand, type ArborFlags, type ArborArgs } from '../cli/ArborCommand';
export { repoFlag } from '../cli/RepoFlags';
export { sysrootFlag, noWaitFlag, sysrootOptions } from '../cli/SysrootFlags';
