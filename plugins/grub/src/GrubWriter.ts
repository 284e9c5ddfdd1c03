import path from 'node:path';
import { ArborError, syncFilesystem, v, writeBlsLoader, type BootloaderRequest, type BootloaderWriter, type HookContext } from '@arbor/core';
import { onBootFs } from './BootFiles';
import { grubEnvPath, writeGrubEnv } from './bls/writeGrubEnv';
import { grubConfigPath, writeGeneratedConfig } from './generated/writeGeneratedConfig';
import { GrubErrorCode } from './GrubErrorCode';
import { GrubOptionsSchema, type GrubOptions } from './GrubOptions';
import { probeGrubMode } from './probeGrubMode';

/**
 * The `grub` bootloader writer. Both modes make the new configuration live in one rename:
 * the `boot/loader` symlink in BLS mode (core's writeBlsLoader), grub.cfg in generated mode.
 * In BLS mode grubenv's `saved_entry` is renamed into place after the entries: until then it
 * names the old default's id, and GRUB falls back to the first entry, which is the new default.
 */
export class GrubWriter implements BootloaderWriter {
  readonly name = 'grub';
  readonly writes = [
    'boot/grub/grub.cfg (generated mode; boot/grub2/ on Fedora): the "### BEGIN arbor ###" section',
    'boot/loader/entries/*.conf (bls mode, as the bls writer)',
    'boot/grub2/grubenv (bls mode): saved_entry',
  ];
  readonly atomic = true;

  constructor(private readonly pluginName: string, private readonly defaults: GrubOptions) {}

  async write(request: BootloaderRequest, context: HookContext): Promise<void> {
    const options = this.optionsFor(request);
    const mode = options.mode === 'auto' ? this.probe(request, context) : options.mode;
    // The kernels and initramfs the core installed must be on disk before a config names them.
    onBootFs('sync', request.bootDir, () => syncFilesystem(request.bootDir));
    if (mode === 'generated') {
      const file = writeGeneratedConfig(request, options);
      context.logger.debug(`${this.pluginName}: wrote ${request.deployments.length} menu entries in ${file}`);
      return;
    }
    const entries = onBootFs('write BLS entries in', path.join(request.bootDir, `loader.${request.bootVersion}`), () => writeBlsLoader(request));
    // writeBlsLoader returns the entries in boot order, so the first is the default's; its id
    // is its file name (content-named where /boot has no symlinks, arbor-<K> elsewhere).
    const defaultId = entries[0] === undefined ? undefined : path.basename(entries[0], '.conf');
    const envFile = writeGrubEnv(grubEnvPath(request.sysroot, grubConfigPath(request.sysroot, options), options), defaultId, request.deployments, options);
    context.logger.debug(`${this.pluginName}: wrote ${entries.length} BLS entries and ${envFile}`);
  }

  /** The plugin's options, overridden by the sysroot's `bootloaderOptions`. */
  private optionsFor(request: BootloaderRequest): GrubOptions {
    const result = v.safeParse(GrubOptionsSchema, { ...this.defaults, ...request.options });
    if (result.success) return result.output;
    const issue = result.issues[0];
    const key = issue.path?.map((item) => String(item.key)).join('.') ?? '';
    throw new ArborError(GrubErrorCode.OPTIONS_INVALID, `bootloaderOptions${key ? `.${key}` : ''} in ${path.join(request.sysroot, 'arbor/config.json')}: ${issue.message}`, {
      hint: `The grub writer takes ${Object.keys(GrubOptionsSchema.entries).join(', ')}`,
    });
  }

  private probe(request: BootloaderRequest, context: HookContext): 'bls' | 'generated' {
    const deploymentTrees = request.deployments.map((deployment) =>
      path.join(request.sysroot, 'arbor', 'deploy', deployment.stateroot, 'deploy', `${deployment.commit}.${deployment.serial}`),
    );
    const probe = probeGrubMode({ sysroot: request.sysroot, esp: request.esp, deploymentTrees });
    context.logger.debug(`${this.pluginName}: ${probe.mode} mode: ${probe.evidence}`);
    return probe.mode;
  }
}
