/** `@arbor/core/cli`: the base class for commands that plugins contribute to the `arbor` CLI. */
export { ArborCommand, type ArborFlags, type ArborArgs } from '../cli/ArborCommand';
export { repoFlag } from '../cli/RepoFlags';
export { sysrootFlag, noWaitFlag, sysrootOptions } from '../cli/SysrootFlags';
