// The machine the demo installs to: one disk image with an EFI system partition and an ext4
// root (test/boot-e2e's BootDisk), booted by systemd-boot under qemu with OVMF, TCG only
// (test/support/qemu's bootUefi). The root is loop-mounted while arbor works on it, as an
// installer or a rescue system would, and unmounted for each boot. Without root (no loop
// mount) the sysroot is a plain directory and nothing boots.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { onCleanup } from './cleanup.mjs';
import { testModule } from './sampleOs.mjs';

export class DemoMachine {
  /**
   * @param {string} dir the machine's directory: its disk, ESP, config and boot logs
   * @param {{ disk: boolean }} options disk: a disk image (root needed), else a directory
   */
  constructor(dir, options) {
    this.dir = dir;
    this.esp = path.join(dir, 'esp');
    this.sysroot = path.join(dir, options.disk ? 'mnt' : 'sysroot');
    this.vars = path.join(dir, 'OVMF_VARS.fd');
    this.mounted = false;
    fs.mkdirSync(this.esp, { recursive: true });
    fs.mkdirSync(this.sysroot, { recursive: true });
    if (options.disk) {
      const { BootDisk } = testModule('boot-e2e/BootDisk');
      this.disk = BootDisk.create(path.join(dir, 'disk.img'), { espMiB: 48, rootMiB: 320 });
      onCleanup(() => this.unmount());
    }
  }

  /** The kernel's root= for this machine: the disk's second partition. */
  get rootDevice() {
    return '/dev/vda2';
  }

  mount() {
    if (!this.disk || this.mounted) return;
    const { rootOffset, layout } = this.disk;
    execFileSync('mount', ['-o', `loop,offset=${rootOffset},sizelimit=${layout.rootMiB << 20}`, this.disk.file, this.sysroot]);
    this.mounted = true;
  }

  unmount() {
    if (!this.mounted) return;
    execFileSync('umount', ['-d', this.sysroot]);
    this.mounted = false;
  }

  /** systemd-boot at the removable-media path, which OVMF boots with no NVRAM entry. */
  installBootloader() {
    const { installRemovableLoader, SYSTEMD_BOOT_EFI } = testModule('support/qemu/index');
    installRemovableLoader(this.esp, SYSTEMD_BOOT_EFI);
  }

  /**
   * Unmounts the root, writes the ESP directory into the disk's FAT partition, boots, mounts
   * the root again, and returns the sample init's report (`SAMPLE-<WHAT> value` lines).
   */
  async boot(label) {
    const { bootUefi } = testModule('support/qemu/index');
    this.unmount();
    this.disk.writeEsp(this.esp, this.dir);
    const result = await bootUefi({ disks: [this.disk.file], varsFile: this.vars, timeoutMs: 120_000 });
    fs.writeFileSync(path.join(this.dir, `console-${label}.log`), result.console);
    this.mount();
    const report = result.console.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.startsWith('SAMPLE-') || line.startsWith('arbor-prepare-root:'));
    if (!report.some((line) => line.startsWith('SAMPLE-BOOTED'))) {
      throw new Error(`the ${label} boot reported nothing${result.timedOut ? ' (timed out)' : ''}; console's end:\n${result.console.split('\n').slice(-15).join('\n')}`);
    }
    return { seconds: result.durationMs / 1000, report };
  }
}

/** Why this machine cannot boot a VM, or undefined when it can. */
export function whyNoBoot() {
  if (process.getuid?.() !== 0) return 'not root, so no loop mount of a disk image';
  const { missingBootPackages } = testModule('support/qemu/index');
  const missing = missingBootPackages(['systemd-boot-efi']);
  if (missing.length) return `the Debian package(s) ${missing.join(', ')} are not installed`;
  return undefined;
}
