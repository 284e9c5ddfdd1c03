import fs from 'node:fs';
import path from 'node:path';
import {
  PRINT_CMDLINE_AND_POWEROFF,
  PartitionType,
  SYSTEMD_BOOT_EFI,
  bootUefi,
  buildInitramfs,
  cmdlineFromConsole,
  installRemovableLoader,
  makeFatImage,
  makeGptDisk,
  testKernel,
  type BootResult,
  type TestKernel,
} from '../support/qemu';
import type { BootFiles } from './BootSysroot';

/** A real Debian kernel with an initramfs that prints its command line and powers off. */
export function realBootFiles(kernel: TestKernel, version: string): BootFiles {
  return {
    kernelVersion: kernel.version,
    vmlinuz: fs.readFileSync(kernel.vmlinuz),
    // The version file makes each OS version's initramfs, and so its bootcsum, its own.
    initramfs: buildInitramfs({ script: PRINT_CMDLINE_AND_POWEROFF, files: { '/etc/arbor-test-version': `${version}\n` } }),
  };
}

export interface MachineBoot extends BootResult {
  /** The kernel command line our init printed, or undefined when it never got that far. */
  cmdline?: string;
}

/**
 * A UEFI machine whose disk holds one partition, the ESP, made from a directory as it is at
 * boot time: systemd-boot at EFI/BOOT/BOOTX64.EFI (installed once, as `bootctl install`
 * would) and whatever the writer put there. Each boot builds a fresh FAT image and GPT disk
 * from the directory, so the firmware reads exactly the bytes the writer left.
 */
export class EspMachine {
  readonly kernel: TestKernel;

  constructor(readonly esp: string, readonly scratch: string) {
    this.kernel = testKernel();
    installRemovableLoader(esp, SYSTEMD_BOOT_EFI);
  }

  async boot(label: string): Promise<MachineBoot> {
    const image = makeFatImage(path.join(this.scratch, `${label}.esp.img`), { from: this.esp, sizeMiB: 96, label: 'ESP' });
    const disk = makeGptDisk(path.join(this.scratch, `${label}.disk.img`), [{ image, type: PartitionType.esp, name: 'EFI System Partition' }]);
    fs.rmSync(image);
    try {
      const result = await bootUefi({ disks: [disk.file], timeoutMs: 100_000 });
      const cmdline = cmdlineFromConsole(result.console);
      return { ...result, ...(cmdline !== undefined ? { cmdline } : {}) };
    } finally {
      fs.rmSync(disk.file, { force: true });
    }
  }
}
