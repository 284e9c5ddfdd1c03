/**
 * The qemu boot harness, shared by the bootloader tests (systemd-boot, GRUB, the boot flow).
 *
 *   testKernel(): TestKernel                  a real Debian kernel (linux-image-*-amd64 via apt-get download +
 *                                             dpkg-deb -x), cached in testCacheDir()/kernel; {version, vmlinuz, modulesDir}
 *   buildInitramfs({script, files?, modules?, kernel?}): Buffer
 *                                             newc cpio with busybox-static and /init = prelude (applets, /proc, /sys,
 *                                             devtmpfs, insmod of `modules` + deps) then `script`, then poweroff -f
 *   PRINT_CMDLINE_AND_POWEROFF, cmdlineFromConsole(text)
 *                                             the standard script (prints "ARBOR-CMDLINE: <cmdline>" on ttyS0) and its parser
 *   installRemovableLoader(espDir, efi)       copies a bootloader to EFI/BOOT/BOOTX64.EFI, the path OVMF boots with no NVRAM entries
 *   makeFatImage(file, {from?, sizeMiB?, label?}), copyIntoFat(image, dir), copyOutOfFat(image, dir),
 *   fsckFat(imageFile), extractPartition(disk, i, file)
 *                                             FAT32 via mkfs.fat + mtools (no mount: this kernel has no vfat driver)
 *   makeExt4Image(file, {from?, sizeMiB?, label?})   mkfs.ext4 -d, no mount
 *   makeGptDisk(file, [{image, type: PartitionType.esp, name, uuid?}]): GptDisk
 *                                             GPT written in TS (no sfdisk); partitionImage(disk, i) = "DISK@@OFFSET" for mtools
 *   bootUefi({disks, timeoutMs?, memoryMiB?, varsFile?}): Promise<BootResult>
 *                                             qemu-system-x86_64 q35 + OVMF, TCG only, serial to a file; {console, durationMs, exitCode, timedOut}
 *   requireUefiBoot(ctx, extraPackages?)      skip naming the missing Debian package (fail in CI)
 *   BootTimings                               collects boots and formats a timing table
 *
 * Typical boot, about 11-16 s under TCG:
 *   const kernel = testKernel();
 *   // ... write ESP/EFI/BOOT/BOOTX64.EFI, loader entries, kernel and buildInitramfs(...) into espDir
 *   const disk = makeGptDisk(file, [{ image: makeFatImage(esp, { from: espDir }), type: PartitionType.esp, name: 'ESP' }]);
 *   const boot = await bootUefi({ disks: [disk.file] });
 *   cmdlineFromConsole(boot.console);
 */
export * from './TestKernel';
export * from './Initramfs';
export * from './DiskImage';
export * from './Qemu';
export * from './Esp';
