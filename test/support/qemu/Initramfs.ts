import fs from 'node:fs';
import path from 'node:path';
import type { TestKernel } from './TestKernel';

/** Where the harness expects Debian's busybox-static. */
export const BUSYBOX = '/bin/busybox';

/** The line the standard init prints; `cmdlineFromConsole` finds it in the serial output. */
export const CMDLINE_MARKER = 'ARBOR-CMDLINE:';

/** An init body that prints /proc/cmdline on the first serial port and powers the machine off. */
export const PRINT_CMDLINE_AND_POWEROFF = [
  `echo "${CMDLINE_MARKER} $(cat /proc/cmdline)" > /dev/ttyS0`,
  'poweroff -f',
].join('\n');

export interface InitramfsOptions {
  /** Shell run by /init after the prelude (busybox applets installed, /proc /sys /dev mounted, modules loaded). */
  script: string;
  /** Extra files by absolute path in the initramfs. */
  files?: Record<string, string | Buffer>;
  /** Module names (`virtio_blk`, `ext4`) loaded at boot, with their dependencies from modules.dep. */
  modules?: string[];
  /** The kernel whose modules to take; required with `modules`. */
  kernel?: TestKernel;
  /** A statically linked busybox; BUSYBOX by default. */
  busybox?: string;
}

/**
 * Builds an uncompressed initramfs: a cpio archive in the "newc" format the kernel unpacks
 * (Documentation/driver-api/early-userspace/buffer-format.rst: "070701", thirteen 8-digit hex
 * fields, the NUL-terminated name and the data, each padded to 4 bytes, then "TRAILER!!!").
 * It holds busybox, /init, /dev/console and any modules asked for, so a test boot needs
 * no tool beyond busybox-static.
 */
export function buildInitramfs(options: InitramfsOptions): Buffer {
  const archive = new NewcArchive();
  for (const dir of ['bin', 'dev', 'proc', 'sys', 'tmp', 'etc']) archive.directory(dir);
  archive.device('dev/console', 0o600, 5, 1);
  archive.file('bin/busybox', fs.readFileSync(options.busybox ?? BUSYBOX), 0o755);
  const insmods: string[] = [];
  if (options.modules?.length) {
    if (!options.kernel) throw new Error('buildInitramfs: modules need a kernel');
    for (const relative of moduleLoadOrder(options.kernel.modulesDir, options.modules)) {
      const target = `lib/modules/${options.kernel.version}/${relative}`;
      archive.parents(target);
      archive.file(target, fs.readFileSync(path.join(options.kernel.modulesDir, relative)), 0o644);
      insmods.push(`insmod /${target}`);
    }
  }
  for (const [file, contents] of Object.entries(options.files ?? {})) {
    const target = file.replace(/^\/+/, '');
    archive.parents(target);
    archive.file(target, Buffer.from(contents), 0o755);
  }
  const init = [
    '#!/bin/busybox sh',
    '/bin/busybox --install -s /bin',
    'mount -t proc proc /proc',
    'mount -t sysfs sys /sys',
    'mount -t devtmpfs dev /dev',
    ...insmods,
    options.script,
    // Never let init exit: the kernel would panic and the test would wait for its timeout.
    'poweroff -f',
    '',
  ].join('\n');
  archive.file('init', Buffer.from(init), 0o755);
  return archive.finish();
}

/** The first kernel command line the standard init printed, or undefined when none was. */
export function cmdlineFromConsole(console: string): string | undefined {
  const index = console.indexOf(CMDLINE_MARKER);
  if (index < 0) return undefined;
  return console.slice(index + CMDLINE_MARKER.length).split(/\r?\n/)[0]!.trim();
}

/**
 * The module files to insmod, dependencies first, from modules.dep ("path: dep dep ...",
 * names with `-` and `_` interchangeable, as modprobe treats them).
 */
export function moduleLoadOrder(modulesDir: string, names: string[]): string[] {
  const depends = new Map<string, { file: string; deps: string[] }>();
  const byName = new Map<string, string>();
  const moduleName = (file: string) => path.basename(file).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');
  for (const line of fs.readFileSync(path.join(modulesDir, 'modules.dep'), 'utf8').split('\n')) {
    const [file, rest] = line.split(':');
    if (!file || rest === undefined) continue;
    depends.set(file, { file, deps: rest.trim().split(/\s+/).filter(Boolean) });
    byName.set(moduleName(file), file);
  }
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const dep of depends.get(file)?.deps ?? []) visit(dep);
    order.push(file);
  };
  for (const name of names) {
    const file = byName.get(name.replace(/-/g, '_'));
    // Not in modules.dep: built into this kernel, nothing to load.
    if (file) visit(file);
  }
  return order;
}

/** Collects newc entries; inode numbers are just a counter, mtimes 0 for a reproducible archive. */
class NewcArchive {
  private readonly chunks: Buffer[] = [];
  private readonly made = new Set<string>();
  private inode = 1;

  directory(name: string): void {
    if (this.made.has(name)) return;
    this.made.add(name);
    this.entry(name, 0o040755, Buffer.alloc(0));
  }

  parents(file: string): void {
    const parts = file.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) this.directory(parts.slice(0, i).join('/'));
  }

  file(name: string, data: Buffer, mode: number): void {
    this.entry(name, 0o100000 | mode, data);
  }

  device(name: string, mode: number, major: number, minor: number): void {
    this.entry(name, 0o020000 | mode, Buffer.alloc(0), major, minor);
  }

  finish(): Buffer {
    this.entry('TRAILER!!!', 0, Buffer.alloc(0), 0, 0, 0);
    return Buffer.concat(this.chunks);
  }

  private entry(name: string, mode: number, data: Buffer, rdevMajor = 0, rdevMinor = 0, inode = this.inode++): void {
    const nameBytes = Buffer.from(`${name}\0`);
    const fields = [inode, mode, 0, 0, (mode & 0o170000) === 0o040000 ? 2 : 1, 0, data.length, 0, 0, rdevMajor, rdevMinor, nameBytes.length, 0];
    const header = Buffer.from(`070701${fields.map((value) => value.toString(16).padStart(8, '0')).join('')}`, 'ascii');
    this.chunks.push(header, nameBytes, padding(header.length + nameBytes.length), data, padding(data.length));
  }
}

function padding(length: number): Buffer {
  return Buffer.alloc((4 - (length % 4)) % 4);
}
