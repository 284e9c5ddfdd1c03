import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds a binary RPM with rpmbuild from a spec written out in full, for the packages whose
 * tags the rpmdb indexes (rich dependencies, triggers, file triggers, Prefix, Group, %lang):
 * the test's spec text is what a packager writes. `%install` copies `files` (path -> content)
 * into the build root first. Returns the package's path.
 */
export function buildSpecRpm(work: string, name: string, spec: string, files: Record<string, string> = {}): string {
  const top = path.join(work, `spec-${name}`);
  const content = path.join(top, 'content');
  fs.mkdirSync(content, { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(content, file)), { recursive: true });
    fs.writeFileSync(path.join(content, file), text);
  }
  const specFile = path.join(top, `${name}.spec`);
  fs.writeFileSync(specFile, spec.replace('%install\n', `%install\nmkdir -p %{buildroot}\ncp -a ${content}/. %{buildroot}/\n`));
  const outDir = path.join(top, 'RPMS');
  execFileSync('rpmbuild', [
    '-bb', '--quiet',
    '--define', `_topdir ${top}`,
    '--define', `_rpmdir ${outDir}`,
    '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    '--define', '__os_install_post %{nil}',
    '--define', 'debug_package %{nil}',
    specFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const built = fs.readdirSync(outDir).filter((file) => file.endsWith('.rpm'));
  if (built.length !== 1) throw new Error(`rpmbuild made ${built.length} packages for ${name}`);
  return path.join(outDir, built[0]!);
}

/** Runs Debian's rpm on a tree's rpmdb at rpm >= 4.16's path (Debian's own default is ~/.rpmdb). */
export function rpmIn(root: string, ...args: string[]): string {
  return execFileSync('rpm', ['--root', root, '--dbpath', '/usr/lib/sysimage/rpm', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `rpm -V`, which exits 1 when it reports anything: its stdout lines either way. */
export function rpmVerify(root: string, ...args: string[]): string[] {
  try {
    return rpmIn(root, '-V', ...args).split('\n').filter(Boolean);
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    if (!stdout && stderr) throw error;
    return stdout.split('\n').filter(Boolean);
  }
}

/** Rows of a query on an sqlite file, through the sqlite3 program (an oracle independent of better-sqlite3). */
export function sqliteRows(file: string, query: string): string[] {
  return execFileSync('sqlite3', ['-readonly', file, query], { encoding: 'utf8' }).split('\n').filter(Boolean);
}
