import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The modules a virtio disk with ext4 needs (their dependencies come from modules.dep). ext4
 * asks the crypto API for crc32c by name, which no symbol dependency records, so
 * crc32c_generic is named too.
 */
export const BOOT_MODULES = ['virtio_pci', 'virtio_blk', 'crc32c_generic', 'ext4'];

export interface DebianKernel {
  kernelVersion: string;
  vmlinuz: string;
  /** Module name -> the .ko file, for BOOT_MODULES and their dependencies, in load order. */
  modules: Map<string, string>;
  /** Path of each module under lib/modules/<kver>/ (e.g. kernel/fs/ext4/ext4.ko). */
  modulePaths: Map<string, string>;
  /** The Debian package it came from, e.g. linux-image-6.1.0-57-amd64_6.1.192-3_amd64.deb. */
  deb: string;
}

function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'arbor-test', 'debian-kernel');
}

/**
 * Debian's current amd64 kernel (`linux-image-amd64` names it), fetched with `apt-get download`
 * once and unpacked with `dpkg-deb -x` into a cache shared by test runs.
 */
export function fetchDebianKernel(): DebianKernel {
  const root = cacheRoot();
  fs.mkdirSync(root, { recursive: true });
  const depends = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
  const match = /Depends: (linux-image-[0-9][^\s]*-amd64)/.exec(depends);
  if (!match) throw new Error(`apt-cache depends linux-image-amd64 names no kernel package:\n${depends}`);
  const pkg = match[1]!;
  const kernelVersion = pkg.replace(/^linux-image-/, '');
  const unpacked = path.join(root, kernelVersion);
  if (!fs.existsSync(path.join(unpacked, '.complete'))) {
    const download = fs.mkdtempSync(path.join(root, 'download-'));
    try {
      // apt warns that _apt cannot write a root-owned temp dir and downloads as root instead.
      execFileSync('apt-get', ['download', '-q', pkg], { cwd: download, stdio: ['ignore', 'ignore', 'pipe'] });
      const deb = fs.readdirSync(download).find((name) => name.endsWith('.deb'));
      if (!deb) throw new Error(`apt-get download ${pkg} produced no .deb`);
      fs.rmSync(unpacked, { recursive: true, force: true });
      execFileSync('dpkg-deb', ['-x', path.join(download, deb), unpacked]);
      fs.writeFileSync(path.join(unpacked, '.deb'), deb);
      execFileSync('depmod', ['-b', unpacked, kernelVersion]);
      fs.writeFileSync(path.join(unpacked, '.complete'), '');
    } finally {
      fs.rmSync(download, { recursive: true, force: true });
    }
  }
  const moduleDir = path.join(unpacked, 'lib', 'modules', kernelVersion);
  const modulePaths = loadOrder(fs.readFileSync(path.join(moduleDir, 'modules.dep'), 'utf8'), BOOT_MODULES, kernelVersion);
  return {
    kernelVersion,
    vmlinuz: path.join(unpacked, 'boot', `vmlinuz-${kernelVersion}`),
    modules: new Map([...modulePaths].map(([name, file]) => [name, path.join(moduleDir, file)])),
    modulePaths,
    deb: fs.readFileSync(path.join(unpacked, '.deb'), 'utf8'),
  };
}

/**
 * BOOT_MODULES and everything they depend on, dependencies first: modules.dep has one line per
 * module, `path: dependency-path...`, listing every module it needs (transitively).
 */
function loadOrder(modulesDep: string, wanted: string[], kernelVersion: string): Map<string, string> {
  const nameOf = (file: string) => path.basename(file).replace(/\.ko(\.xz|\.zst|\.gz)?$/, '').replace(/-/g, '_');
  const deps = new Map<string, { file: string; needs: string[] }>();
  for (const line of modulesDep.split('\n')) {
    const [file, rest] = line.split(':');
    if (!file) continue;
    deps.set(nameOf(file), { file, needs: (rest ?? '').trim().split(/\s+/).filter(Boolean).map(nameOf) });
  }
  const ordered = new Map<string, string>();
  const visit = (name: string) => {
    if (ordered.has(name)) return;
    const entry = deps.get(name);
    if (!entry) throw new Error(`kernel ${kernelVersion} has no module ${name} (built in?)`);
    if (!entry.file.endsWith('.ko')) throw new Error(`module ${name} is compressed (${entry.file}); the test initramfs loads plain .ko files`);
    for (const need of entry.needs) visit(need);
    ordered.set(name, entry.file);
  };
  for (const name of wanted) visit(name);
  return ordered;
}
