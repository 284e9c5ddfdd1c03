import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { DeploymentRef } from '../hooks';
import { deploymentId } from './Deployment';
import { readSysrootConfig, type SysrootConfig } from './SysrootConfig';

const STATEROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A client disk laid out as docs/sysroot.md says: the paths of everything Arbor keeps there,
 * and the config recorded at `sysroot init`. It is also the `sysroot` of every hook context
 * during sysroot commands.
 *
 *     SYSROOT/arbor/repo                                    the system's store
 *     SYSROOT/arbor/config.json                             bootloader choice
 *     SYSROOT/arbor/deploy/<stateroot>/var                  shared /var
 *     SYSROOT/arbor/deploy/<stateroot>/deploy/<commit>.<serial>[.origin]
 *     SYSROOT/arbor/boot.<B> -> boot.<B>.<S>                boot links (BootState)
 *     SYSROOT/boot/loader -> loader.<B>                     entries (BootState)
 *     SYSROOT/boot/arbor/<stateroot>-<bootcsum>/            kernels
 */
export class Sysroot {
  private constructor(readonly path: string, readonly config: SysrootConfig) {}

  static layout(sysroot: string) {
    const root = path.resolve(sysroot);
    const arbor = path.join(root, 'arbor');
    return {
      root,
      arbor,
      repo: path.join(arbor, 'repo'),
      config: path.join(arbor, 'config.json'),
      deploy: path.join(arbor, 'deploy'),
      boot: path.join(root, 'boot'),
    };
  }

  /** Opens an initialized sysroot; anything else is ARBOR_SYSROOT_NOT_FOUND with the fix. */
  static open(sysroot: string): Sysroot {
    const layout = Sysroot.layout(sysroot);
    if (!fs.existsSync(layout.config) || !fs.existsSync(layout.deploy) || !fs.existsSync(layout.repo)) {
      throw new ArborError(ErrorCode.SYSROOT_NOT_FOUND, `${layout.root} is not an Arbor sysroot (no arbor/config.json, arbor/repo and arbor/deploy)`, {
        // Never suggest laying a sysroot over the running host's own root.
        hint: layout.root === path.parse(layout.root).root
          ? 'This system is not managed by Arbor. Pass --sysroot PATH to work on an Arbor sysroot (a new disk image is made with arbor sysroot init PATH)'
          : `Create one with: arbor sysroot init ${sysroot} --stateroot NAME`,
      });
    }
    return new Sysroot(layout.root, readSysrootConfig(layout.config));
  }

  get arborDir(): string {
    return path.join(this.path, 'arbor');
  }

  get repoPath(): string {
    return path.join(this.arborDir, 'repo');
  }

  get bootDir(): string {
    return path.join(this.path, 'boot');
  }

  /** Where systemd-boot's entries live: the configured ESP, else SYSROOT/boot/efi. */
  get espPath(): string {
    return this.config.esp ? path.resolve(this.path, this.config.esp) : path.join(this.bootDir, 'efi');
  }

  staterootDir(stateroot: string): string {
    return path.join(this.arborDir, 'deploy', stateroot);
  }

  varDir(stateroot: string): string {
    return path.join(this.staterootDir(stateroot), 'var');
  }

  deploymentsDir(stateroot: string): string {
    return path.join(this.staterootDir(stateroot), 'deploy');
  }

  deploymentPath(ref: DeploymentRef): string {
    return path.join(this.deploymentsDir(ref.stateroot), deploymentId(ref));
  }

  originPath(ref: DeploymentRef): string {
    return `${this.deploymentPath(ref)}.origin`;
  }

  /**
   * Deletes a deployment's tree and origin. Only for deployments outside the boot order: the
   * origin goes first, so an interrupted delete leaves a bare tree that cleanup recognizes as
   * a leftover, never an origin beside half a tree.
   */
  /** `/boot/arbor/<stateroot>-<bootcsum>`: one directory per distinct kernel + initramfs. */
  kernelDir(stateroot: string, bootcsum: string): string {
    return path.join(this.bootDir, 'arbor', `${stateroot}-${bootcsum}`);
  }

  stateroots(): string[] {
    return fs.readdirSync(path.join(this.arborDir, 'deploy'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && STATEROOT_NAME.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  }

  /** `--stateroot NAME`, checked; without it, the only stateroot there is (docs/command-contract.md). */
  resolveStateroot(name?: string): string {
    const all = this.stateroots();
    if (name !== undefined) {
      if (!all.includes(name)) {
        throw new ArborError(ErrorCode.STATEROOT_NOT_FOUND, `Stateroot "${name}" does not exist in ${this.path}`, {
          hint: all.length ? `Stateroots here: ${all.join(', ')}` : `Create it with: arbor sysroot init ${this.path} --stateroot ${name}`,
        });
      }
      return name;
    }
    if (all.length === 1) return all[0]!;
    if (all.length === 0) {
      throw new ArborError(ErrorCode.STATEROOT_NOT_FOUND, `Sysroot ${this.path} has no stateroot`, {
        hint: `Create one with: arbor sysroot init ${this.path} --stateroot NAME`,
      });
    }
    throw new ArborError(ErrorCode.STATEROOT_AMBIGUOUS, `Sysroot ${this.path} has several stateroots (${all.join(', ')})`, {
      hint: 'Name one with --stateroot NAME',
    });
  }
}

export function checkStaterootName(name: string): string {
  if (!STATEROOT_NAME.test(name)) {
    throw new ArborError(ErrorCode.STATEROOT_INVALID, `Stateroot name "${name}" is invalid`, {
      hint: 'Use letters, digits, ".", "_" and "-", starting with a letter or digit',
    });
  }
  return name;
}
