import * as Flags from '@oclif/core/flags';
import type { Arbor } from '../Arbor';
import type { SysrootOptions } from '../sysroot/SysrootSession';

/** The flags every System command shares (docs/command-contract.md): where the sysroot is, and lock waiting. */
export const sysrootFlag = Flags.string({
  description: 'The sysroot to work on (its repo is SYSROOT/arbor/repo)',
  default: '/',
});

export const noWaitFlag = Flags.boolean({
  description: 'Fail at once when another arbor command holds the sysroot lock, instead of waiting',
  default: false,
});

/**
 * The library options for a sysroot command. The lock-wait message goes straight to stderr,
 * even with --json: whoever runs the command should see why it is not moving.
 */
export function sysrootOptions(flags: { sysroot: string; 'no-wait'?: boolean }, arbor: Arbor, config?: { config: { storage?: string } }): SysrootOptions {
  return {
    sysroot: flags.sysroot,
    arbor,
    ...(config?.config.storage ? { storage: config.config.storage } : {}),
    wait: !flags['no-wait'],
    onWait: (message) => process.stderr.write(`${message}\n`),
  };
}
