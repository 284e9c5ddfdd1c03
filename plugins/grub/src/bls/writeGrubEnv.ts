import path from 'node:path';
import type { BootDeployment } from '@arbor/core';
import { insideSysroot, readIfExists, replaceFile } from '../BootFiles';
import { GrubEnv } from '../GrubEnv';
import type { GrubOptions } from '../GrubOptions';

/**
 * BLS mode's grubenv: `saved_entry` names the default deployment's BLS entry by its id (the
 * entry's file name without `.conf`, e.g. `arbor-<count>`), which Fedora's grub.cfg turns into
 * `set default="${saved_entry}"`. Other variables (boot_success, menu_auto_hide ...) are kept.
 * With the `kernelopts` option, `kernelopts` holds the default deployment's kargs for entries
 * that say `options $kernelopts` (Fedora 30 to 33); ours carry their full command line.
 */
export function writeGrubEnv(
  envFile: string,
  defaultEntryId: string | undefined,
  deployments: readonly BootDeployment[],
  options: Pick<GrubOptions, 'kernelopts'>,
): string {
  const existing = readIfExists(envFile);
  const env = existing ? GrubEnv.parse(existing, envFile) : GrubEnv.empty();
  if (defaultEntryId) env.set('saved_entry', defaultEntryId);
  else env.unset('saved_entry');
  if (options.kernelopts && deployments[0]) env.set('kernelopts', deployments[0].kargs.join(' '));
  replaceFile(envFile, env.toBuffer(envFile));
  return envFile;
}

/** grubenv beside the grub.cfg, unless the `envPath` option says otherwise. */
export function grubEnvPath(sysroot: string, configFile: string, options: Pick<GrubOptions, 'envPath'>): string {
  return options.envPath ? insideSysroot(sysroot, options.envPath) : path.join(path.dirname(configFile), 'grubenv');
}
