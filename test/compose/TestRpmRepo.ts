import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cachedFile, fixtureKey, toolVersion } from '../support/fixtureCache';

/** A file a test package ships: text content, or a directory, or a symlink. */
export type TestFile =
  | string
  | { content: string; mode?: number; user?: string; group?: string }
  | { dir: true; mode?: number }
  | { symlink: string };

export interface TestPackage {
  name: string;
  version?: string;
  release?: string;
  epoch?: number;
  requires?: string[];
  provides?: string[];
  conflicts?: string[];
  obsoletes?: string[];
  recommends?: string[];
  /** Paths are absolute (`/usr/bin/hello`). */
  files?: Record<string, TestFile>;
  /** Scriptlet bodies, e.g. `{ post: 'echo hi > /usr/share/hi' }` (run by /bin/sh), or with `-p <interpreter>`. */
  scripts?: Partial<Record<'pre' | 'post' | 'posttrans', string | { interpreter: string; body: string }>>;
  /** Copy host files into the package (path in package -> host path), e.g. a shell and its libc. */
  hostFiles?: Record<string, string>;
}

/**
 * Builds real noarch RPMs with rpmbuild (in a private %_topdir, no AutoReqProv, so the
 * dependencies are exactly the ones given) and indexes them with createrepo_c: the same kind
 * of repo a distribution serves, made in seconds.
 */
export function buildTestRepo(dir: string, packages: TestPackage[], work: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const built: string[] = [];
  for (const pkg of packages) built.push(buildRpm(pkg, dir, work));
  execFileSync('createrepo_c', ['-q', '--simple-md-filenames', dir]);
  return built;
}

/**
 * The package from the fixture cache when this run or an earlier one built the same one (same
 * package description, host files, spec-writing code and rpmbuild), else built now; a copy of
 * it lands in `outDir` under rpmbuild's name, so a test may change its copy.
 */
function buildRpm(pkg: TestPackage, outDir: string, work: string): string {
  const hostFiles = Object.entries(pkg.hostFiles ?? {}).map(([file, host]) => [file, fs.readFileSync(host)] as const);
  const key = fixtureKey('compose/TestRpmRepo', runRpmbuild.toString(), pkg, ...hostFiles.flat(), toolVersion('rpmbuild'));
  const cached = cachedFile(key, (target) => {
    const built = runRpmbuild(pkg, path.join(path.dirname(target), 'out'), work);
    fs.renameSync(built, target);
  });
  const file = path.join(outDir, `${pkg.name}-${pkg.version ?? '1.0'}-${pkg.release ?? '1'}.noarch.rpm`);
  fs.copyFileSync(cached, file);
  return file;
}

function runRpmbuild(pkg: TestPackage, outDir: string, work: string): string {
  const top = path.join(work, `rpmbuild-${pkg.name}-${pkg.version ?? '1.0'}`);
  const content = path.join(top, 'content');
  fs.mkdirSync(content, { recursive: true });
  const fileLines: string[] = [];
  for (const [file, spec] of Object.entries(pkg.files ?? {})) {
    const target = path.join(content, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (typeof spec === 'string') {
      fs.writeFileSync(target, spec);
      fileLines.push(`%attr(0644,root,root) ${file}`);
    } else if ('dir' in spec) {
      fs.mkdirSync(target, { recursive: true });
      fileLines.push(`%dir %attr(${(spec.mode ?? 0o755).toString(8)},root,root) ${file}`);
    } else if ('symlink' in spec) {
      fs.symlinkSync(spec.symlink, target);
      fileLines.push(file);
    } else {
      fs.writeFileSync(target, spec.content);
      fileLines.push(`%attr(${(spec.mode ?? 0o644).toString(8)},${spec.user ?? 'root'},${spec.group ?? 'root'}) ${file}`);
    }
  }
  for (const [file, host] of Object.entries(pkg.hostFiles ?? {})) {
    const target = path.join(content, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(host, target);
    fileLines.push(`%attr(0755,root,root) ${file}`);
  }
  const tags = (tag: string, values?: string[]) => (values ?? []).map((value) => `${tag}: ${value}`);
  const spec = [
    `Name: ${pkg.name}`,
    `Version: ${pkg.version ?? '1.0'}`,
    `Release: ${pkg.release ?? '1'}`,
    ...(pkg.epoch ? [`Epoch: ${pkg.epoch}`] : []),
    'Summary: Arbor test package',
    'License: MIT',
    'BuildArch: noarch',
    'AutoReqProv: no',
    ...tags('Requires', pkg.requires),
    ...tags('Provides', pkg.provides),
    ...tags('Conflicts', pkg.conflicts),
    ...tags('Obsoletes', pkg.obsoletes),
    ...tags('Recommends', pkg.recommends),
    '%description',
    'A package built by the Arbor compose tests.',
    '%install',
    'mkdir -p %{buildroot}',
    `cp -a ${content}/. %{buildroot}/`,
    '%files',
    ...fileLines,
    ...Object.entries(pkg.scripts ?? {}).flatMap(([name, script]) =>
      typeof script === 'string' ? [`%${name}`, script] : [`%${name} -p ${script!.interpreter}`, script!.body]),
    '',
  ].join('\n');
  const specFile = path.join(top, `${pkg.name}.spec`);
  fs.writeFileSync(specFile, spec);
  execFileSync('rpmbuild', [
    '-bb', '--quiet',
    '--define', `_topdir ${top}`,
    '--define', `_rpmdir ${outDir}`,
    '--define', '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm',
    '--define', '__os_install_post %{nil}',
    '--define', 'debug_package %{nil}',
    // The shell package carries host binaries (dash, libc) for scriptlet tests.
    '--define', '_binaries_in_noarch_packages_terminate_build 0',
    specFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path.join(outDir, `${pkg.name}-${pkg.version ?? '1.0'}-${pkg.release ?? '1'}.noarch.rpm`);
}
