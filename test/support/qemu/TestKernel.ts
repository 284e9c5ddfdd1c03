import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A real Debian kernel, unpacked from its `linux-image-<kver>-amd64` package. */
export interface TestKernel {
  /** The kernel release, e.g. `6.1.0-57-amd64`. */
  version: string;
  /** The bzImage: an EFI stub kernel that systemd-boot and GRUB both load. */
  vmlinuz: string;
  /** `lib/modules/<version>`, with modules.dep, for initramfs builders that need drivers. */
  modulesDir: string;
}

/**
 * Where test downloads live between runs: $ARBOR_TEST_CACHE, else $XDG_CACHE_HOME/arbor-test,
 * else /var/cache/arbor-test as root (CI), else ~/.cache/arbor-test.
 */
export function testCacheDir(): string {
  if (process.env.ARBOR_TEST_CACHE) return process.env.ARBOR_TEST_CACHE;
  if (process.env.XDG_CACHE_HOME) return path.join(process.env.XDG_CACHE_HOME, 'arbor-test');
  if (process.getuid?.() === 0) return '/var/cache/arbor-test';
  return path.join(os.homedir(), '.cache', 'arbor-test');
}

/**
 * The test kernel, from the cache when a previous run unpacked one, else fetched with
 * `apt-get download` (the package that the `linux-image-amd64` metapackage depends on) and
 * unpacked with `dpkg-deb -x`. The unpack goes to a temp directory that is renamed into the
 * cache, so parallel runs and killed runs never leave a half-unpacked kernel behind.
 */
export function testKernel(): TestKernel {
  const root = path.join(testCacheDir(), 'kernel');
  const cached = cachedKernel(root);
  if (cached) return cached;
  fs.mkdirSync(root, { recursive: true });
  const work = fs.mkdtempSync(path.join(root, '.fetch-'));
  try {
    const depends = execFileSync('apt-cache', ['depends', 'linux-image-amd64'], { encoding: 'utf8' });
    const pkg = /Depends: (linux-image-\S+-amd64)\b/.exec(depends)?.[1];
    if (!pkg) throw new Error(`apt-cache depends linux-image-amd64 names no kernel package:\n${depends}`);
    // apt's _apt user cannot write into a root-only temp dir; the download then runs as root, which is fine here.
    execFileSync('apt-get', ['download', '-q', pkg], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    const deb = fs.readdirSync(work).find((name) => name.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} left no .deb in ${work}`);
    const tree = path.join(work, 'tree');
    execFileSync('dpkg-deb', ['-x', path.join(work, deb), tree]);
    const vmlinuz = fs.readdirSync(path.join(tree, 'boot')).find((name) => name.startsWith('vmlinuz-'));
    if (!vmlinuz) throw new Error(`${deb} holds no boot/vmlinuz-*`);
    const version = vmlinuz.slice('vmlinuz-'.length);
    const staged = path.join(work, version);
    fs.mkdirSync(staged);
    fs.renameSync(path.join(tree, 'boot', vmlinuz), path.join(staged, 'vmlinuz'));
    fs.renameSync(path.join(tree, 'lib', 'modules', version), path.join(staged, 'modules'));
    try {
      fs.renameSync(staged, path.join(root, version));
    } catch (error) {
      // Another run cached the same kernel first: theirs is as good as ours.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const fetched = cachedKernel(root);
  if (!fetched) throw new Error(`no kernel in ${root} after fetching one`);
  return fetched;
}

function cachedKernel(root: string): TestKernel | undefined {
  if (!fs.existsSync(root)) return undefined;
  const versions = fs.readdirSync(root).filter((name) => !name.startsWith('.') && fs.existsSync(path.join(root, name, 'vmlinuz'))).sort();
  const version = versions.at(-1);
  if (!version) return undefined;
  return { version, vmlinuz: path.join(root, version, 'vmlinuz'), modulesDir: path.join(root, version, 'modules') };
}
