import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One entry of a test package, as a spec file's %install and %files sections write it. */
export interface PackageEntry {
  path: string;
  kind?: 'file' | 'dir' | 'symlink' | 'hardlink';
  /** File content, symlink target, or for a hardlink the path it links to. */
  content?: string;
  /** A shell command whose output is the file's content, for files too large to spell out. */
  generate?: string;
  /** %attr(mode, user, group); rpm's defaults otherwise. */
  attr?: [string, string, string];
  /** %config(noreplace), %ghost, %caps(...), %doc ... written before the path. */
  directives?: string;
}

export interface PackageSpec {
  name: string;
  version?: string;
  release?: string;
  /** rpm's _binary_payload, e.g. `w9.gzdio`, `w2.xzdio`, `w19.zstdio`, `w.ufdio`. */
  payload: string;
  entries: PackageEntry[];
  /** Scriptlet bodies by spec section, e.g. `{ pre: 'echo hi' }`. */
  scripts?: Record<string, string>;
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Builds a real binary RPM with rpmbuild in `workDir` (its own _topdir) and returns its path.
 * Payload compression, owners, modes and file attributes come from the spec, exactly as a
 * distribution's build would write them.
 */
export function buildRpm(workDir: string, spec: PackageSpec): string {
  const topdir = path.join(workDir, `build-${spec.name}-${spec.payload}`);
  fs.mkdirSync(topdir, { recursive: true });
  const install: string[] = [];
  const files: string[] = [];
  for (const entry of spec.entries) {
    const target = `"$RPM_BUILD_ROOT"${quote(entry.path)}`;
    const parent = `"$RPM_BUILD_ROOT"${quote(path.posix.dirname(entry.path))}`;
    // %ghost and %dev entries exist only in the header.
    const virtual = /%ghost|%dev\(/.test(entry.directives ?? '');
    switch (entry.kind ?? 'file') {
      case 'dir': install.push(`mkdir -p ${target}`); break;
      case 'symlink': install.push(`mkdir -p ${parent}`, `ln -s ${quote(entry.content!)} ${target}`); break;
      case 'hardlink': install.push(`mkdir -p ${parent}`, `ln "$RPM_BUILD_ROOT"${quote(entry.content!)} ${target}`); break;
      default:
        if (virtual) break;
        install.push(`mkdir -p ${parent}`, entry.generate ? `${entry.generate} > ${target}` : `printf '%s' ${quote(entry.content ?? '')} > ${target}`);
    }
    const attr = entry.attr ? `%attr(${entry.attr.join(', ')}) ` : '';
    const dir = entry.kind === 'dir' ? '%dir ' : '';
    files.push(`${entry.directives ?? ''} ${attr}${dir}"${entry.path}"`.trim());
  }
  const scripts = Object.entries(spec.scripts ?? {}).map(([section, body]) => `%${section}\n${body}\n`).join('\n');
  const specFile = path.join(topdir, `${spec.name}.spec`);
  fs.writeFileSync(specFile, [
    `Name: ${spec.name}`,
    `Version: ${spec.version ?? '1.0'}`,
    `Release: ${spec.release ?? '1'}`,
    'Summary: An Arbor test package',
    'License: MIT',
    'BuildArch: noarch',
    'AutoReqProv: no',
    '%description',
    'Built by the Arbor RPM tests.',
    '%install',
    ...install,
    scripts,
    '%files',
    ...files,
    '',
  ].join('\n'));
  execFileSync('rpmbuild', [
    '-bb', '--quiet',
    '--define', `_topdir ${topdir}`,
    '--define', `_binary_payload ${spec.payload}`,
    '--define', '__os_install_post %{nil}',
    '--define', '_build_id_links none',
    specFile,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const rpmDir = path.join(topdir, 'RPMS', 'noarch');
  const built = fs.readdirSync(rpmDir).filter((name) => name.endsWith('.rpm'));
  if (built.length !== 1) throw new Error(`rpmbuild made ${built.length} packages for ${spec.name}`);
  return path.join(rpmDir, built[0]!);
}
