import fs from 'node:fs';
import path from 'node:path';
import type { BootDeployment } from '../hooks';
import type { BootableDeployment } from './Deployment';
import { OriginFile } from './OriginFile';
import { readOsRelease } from './OsRelease';
import type { Sysroot } from './Sysroot';

export interface DescribeBootOptions {
  sysroot: Sysroot;
  /** The boot version the entries are for: it is part of each `arbor=` argument. */
  bootVersion: number;
  /** The commit's `version` metadata, if the store has one. */
  versionOf(commit: string): string | undefined;
}

/**
 * Turns the boot order into what bootloader writers get (docs/sysroot.md): each
 * deployment's kernel paths relative to /boot, its kargs from its origin plus
 * `arbor=/arbor/boot.<B>/<stateroot>/<bootcsum>/<n>` (n counts earlier deployments with the
 * same kernel), and a title of os-release PRETTY_NAME, version and `(arbor:<stateroot>:<index>)`.
 */
export function describeBootDeployments(order: readonly BootableDeployment[], options: DescribeBootOptions): BootDeployment[] {
  const { sysroot, bootVersion } = options;
  const perKernel = new Map<string, number>();
  return order.map((deployment, index) => {
    const { stateroot, commit, serial, bootcsum, kernelVersion } = deployment;
    const kernelKey = `${stateroot}/${bootcsum}`;
    const n = perKernel.get(kernelKey) ?? 0;
    perKernel.set(kernelKey, n + 1);

    const kargs = OriginFile.read(sysroot.originPath(deployment)).kargs;
    const osRelease = readOsRelease(sysroot.deploymentPath(deployment));
    const version = options.versionOf(commit) ?? osRelease.VERSION;
    const name = osRelease.PRETTY_NAME ?? osRelease.NAME ?? 'Arbor';
    const kernelDir = `/arbor/${stateroot}-${bootcsum}`;
    const initrd = `${kernelDir}/initramfs-${kernelVersion}.img`;
    const bootLink = `/arbor/boot.${bootVersion}/${stateroot}/${bootcsum}/${n}`;
    const hasInitrd = fs.existsSync(path.join(sysroot.bootDir, initrd));
    return {
      index,
      stateroot,
      commit,
      serial,
      bootcsum,
      kernelVersion,
      linux: `${kernelDir}/vmlinuz-${kernelVersion}`,
      ...(hasInitrd ? { initrd } : {}),
      kargs,
      bootLink,
      options: [...kargs, `arbor=${bootLink}`],
      title: [name, version, `(arbor:${stateroot}:${index})`].filter(Boolean).join(' '),
      ...(version ? { version } : {}),
    };
  });
}

/** True when two boot orders give every bootloader the same entries (deployment IDs aside). */
export function sameBootEntries(a: readonly BootDeployment[], b: readonly BootDeployment[]): boolean {
  const entries = (list: readonly BootDeployment[]) =>
    JSON.stringify(list.map(({ commit: _commit, serial: _serial, ...entry }) => entry));
  return entries(a) === entries(b);
}
