import crypto from 'node:crypto';
import fs from 'node:fs';
import type { PackageRecord } from '../hooks';
import type { LoadedTreefile } from './Treefile';

/** A package as commit metadata records it (docs/command-contract.md `db list` fields, plus where it came from). */
export interface ComposedPackage {
  name: string;
  epoch: number;
  version: string;
  release: string;
  arch: string;
  repo: string;
  checksum?: string;
}

/** Commit metadata keys compose writes; `db list`/`db diff` read the package list back. */
export const ComposeMetadataKey = {
  PACKAGES: 'arbor.compose.packages',
  INPUTS: 'arbor.compose.inputs',
  SKIPPED_SCRIPTLETS: 'arbor.compose.scriptlets.skipped',
  VERSION: 'version',
} as const;

export function composedPackage(pkg: PackageRecord): ComposedPackage {
  const record: ComposedPackage = {
    name: pkg.name, epoch: pkg.epoch, version: pkg.version, release: pkg.release, arch: pkg.arch, repo: pkg.repo,
  };
  if (pkg.checksum) record.checksum = `${pkg.checksum.type}:${pkg.checksum.value}`;
  return record;
}

/**
 * The identity of a compose's inputs: every treefile byte (includes too, in read order, plus
 * the files add-files and postprocess-script bring in), the checksum of every resolved
 * package, and the name, version and options of every plugin applied. When it equals the last commit's, composing again would make the same tree, so
 * compose says "no changes" instead (rpm-ostree's `--cache-only` change detection).
 */
export function composeInputsHash(
  loaded: LoadedTreefile, packages: readonly PackageRecord[], extraFiles: readonly string[], plugins: string,
): string {
  const hash = crypto.createHash('sha256');
  // Another plugin set makes another tree from the same treefile (a labeler, a different installer).
  hash.update(`plugins\0${plugins}\0`);
  for (const file of [...loaded.files, ...extraFiles]) {
    hash.update(`file\0${file}\0`);
    hash.update(fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : Buffer.alloc(0));
  }
  for (const pkg of [...packages].map(composedPackage).sort((a, b) => (a.name + a.arch < b.name + b.arch ? -1 : 1))) {
    hash.update(`pkg\0${pkg.name}\0${pkg.epoch}\0${pkg.version}\0${pkg.release}\0${pkg.arch}\0${pkg.checksum ?? ''}\0`);
  }
  return hash.digest('hex');
}

/**
 * rpm-ostree's automatic-version-prefix: the first compose is `<prefix>`, the next `<prefix>.1`,
 * then `<prefix>.2`, ... as long as the previous commit's version has that prefix.
 */
export function nextVersion(prefix: string, previous: unknown): string {
  if (typeof previous !== 'string') return prefix;
  if (previous === prefix) return `${prefix}.1`;
  const match = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)$`).exec(previous);
  return match ? `${prefix}.${Number(match[1]) + 1}` : prefix;
}
