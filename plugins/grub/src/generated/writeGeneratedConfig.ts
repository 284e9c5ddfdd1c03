import fs from 'node:fs';
import type { BootDeployment } from '@arbor/core';
import { insideSysroot, onBootFs, readIfExists, replaceFile } from '../BootFiles';
import type { GrubOptions } from '../GrubOptions';
import { parseGrubScript } from '../script/parseGrubScript';
import { renderArborSection, type GrubBootLayout } from './arborSection';
import { mergeArborSection } from './mergeArborSection';

export interface GrubConfigTarget {
  sysroot: string;
  bootDir: string;
  deployments: readonly BootDeployment[];
}

/** The grub.cfg path: the option, else Fedora's `boot/grub2/` when it exists, else Debian's `boot/grub/`. */
export function grubConfigPath(sysroot: string, options: Pick<GrubOptions, 'configPath'>): string {
  if (options.configPath) return insideSysroot(sysroot, options.configPath);
  const fedoraDir = insideSysroot(sysroot, 'boot/grub2');
  return fs.existsSync(fedoraDir) ? insideSysroot(sysroot, 'boot/grub2/grub.cfg') : insideSysroot(sysroot, 'boot/grub/grub.cfg');
}

/** '' when SYSROOT/boot is a filesystem of its own (a mount point), '/boot' when it is a directory of the root. */
export function detectBootPrefix(sysroot: string, bootDir: string): '' | '/boot' {
  const bootDev = onBootFs('stat', bootDir, () => fs.statSync(bootDir).dev);
  const rootDev = onBootFs('stat', sysroot, () => fs.statSync(sysroot).dev);
  return bootDev === rootDev ? '/boot' : '';
}

/**
 * Generated mode: rewrites the Arbor section of the grub.cfg (everything else in the file is
 * kept byte for byte) and makes it live with one rename. The file is parsed again before it
 * is written, so a bug of ours cannot leave GRUB a config it refuses.
 */
export function writeGeneratedConfig(target: GrubConfigTarget, options: GrubOptions): string {
  const configFile = grubConfigPath(target.sysroot, options);
  const layout: GrubBootLayout = {
    bootPrefix: options.bootPrefix ?? detectBootPrefix(target.sysroot, target.bootDir),
    modules: options.modules,
    ...(options.bootFsUuid ? { bootFsUuid: options.bootFsUuid } : {}),
  };
  const existing = readIfExists(configFile)?.toString('utf8');
  const text = mergeArborSection(existing, renderArborSection(target.deployments, layout), { source: configFile, timeout: options.timeout });
  parseGrubScript(text, `${configFile} (as Arbor would write it)`);
  replaceFile(configFile, text);
  return configFile;
}
