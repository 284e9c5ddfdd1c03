import fs from 'node:fs';
import path from 'node:path';
import { ArborError, lstatBeneath, type ArborHooks, type HookContext, type PackageRecord, type PackageSource } from '@arbor/core';
import { LayerErrorCode } from './LayerError';
import { readYumRepos, type RepoVariables, type YumRepo } from './YumRepoFile';

/** The enabled repos of a deployment, opened through the `source` hook's rpm-md provider. */
export interface OpenedRepos {
  sources: PackageSource[];
  packages: PackageRecord[];
  /** `id (file)` of each repo searched, for "not found" messages. */
  searched: string[];
  /** The repos opened, by id: their gpgcheck and gpgkey= settings. */
  repos: Map<string, YumRepo>;
  close(): Promise<void>;
}

/**
 * Opens every enabled repo of `<configRoot>/yum.repos.d` through the `source` hook (the rpm-md
 * plugin's reader: repomd.xml, then primary.xml checked against its checksum), trying each
 * baseurl in turn until one answers, as dnf falls back across a repo's base URLs. metalink=
 * and mirrorlist= name a service Arbor does not query: a repo with only those is an error
 * that names its file and key. A repo with skip_if_unavailable=1 that cannot be read is
 * warned about and left out, as dnf does; otherwise it fails the layering.
 */
export async function openLayerRepos(
  hooks: Pick<ArborHooks, 'source'>,
  configRoot: string,
  variables: RepoVariables,
  cacheDir: string,
  context: HookContext,
): Promise<OpenedRepos> {
  const repos = readYumRepos(configRoot, variables).filter((repo) => repo.enabled);
  const opened: OpenedRepos = {
    sources: [],
    packages: [],
    searched: [],
    repos: new Map(),
    async close() {
      for (const source of this.sources) await source.close?.();
    },
  };
  try {
    for (const repo of repos) {
      let source: PackageSource;
      let packages: PackageRecord[];
      try {
        ({ source, packages } = await openRepo(hooks, repo, cacheDir, context));
      } catch (error) {
        if (!repo.skipIfUnavailable || (error as ArborError).code !== LayerErrorCode.REPO_UNAVAILABLE) throw error;
        context.logger.warn(`${(error as Error).message}; skipped (skip_if_unavailable=1)`);
        continue;
      }
      opened.sources.push(source);
      opened.packages.push(...packages);
      opened.searched.push(`${repo.id} (${path.basename(repo.file)})`);
      opened.repos.set(repo.id, repo);
    }
  } catch (error) {
    await opened.close();
    throw error;
  }
  return opened;
}

async function openRepo(hooks: Pick<ArborHooks, 'source'>, repo: YumRepo, cacheDir: string, context: HookContext): Promise<{ source: PackageSource; packages: PackageRecord[] }> {
  if (repo.baseurls.length === 0) {
    const reason = repo.mirrors
      ? `${repo.file}:${repo.mirrors.line}: key ${repo.mirrors.key} of [${repo.id}] is not supported: Arbor reads repos from baseurl= only`
      : `${repo.file}:${repo.line}: repo [${repo.id}] has no baseurl`;
    throw new ArborError(LayerErrorCode.REPO_UNAVAILABLE, reason, { hint: `Give [${repo.id}] a baseurl=, or set enabled=0` });
  }
  if (repo.mirrors) context.logger.warn(`${repo.file}: [${repo.id}] has ${repo.mirrors.key}=, which Arbor does not follow; using its baseurl`);
  const failures: string[] = [];
  for (const url of repo.baseurls) {
    const source = await hooks.source.for('rpm-md').promise({ id: repo.id, url, cacheDir }, context);
    if (!source) {
      throw new ArborError(LayerErrorCode.REPO_UNAVAILABLE, `No plugin opens rpm-md repos, which ${repo.file} configures`, {
        hint: 'Add the rpm-md plugin (@arbor/plugin-rpm-md; preset fedora has it) to the config',
      });
    }
    try {
      return { source, packages: await source.packages(context) };
    } catch (error) {
      await source.close?.();
      failures.push(`${url}: ${(error as Error).message}`);
    }
  }
  throw new ArborError(LayerErrorCode.REPO_UNAVAILABLE, `Repo [${repo.id}] of ${repo.file} cannot be read: ${failures.join('; ')}`, {
    hint: 'Check its baseurl, or set enabled=0 for it',
  });
}

/** dnf's $basearch for an rpm arch (dnf/rpm/__init__.py's basearch map, for the arches Arbor composes). */
export function baseArch(arch: string): string {
  if (/^i[3-6]86$|^athlon$|^geode$/.test(arch)) return 'i386';
  if (/^armv[78]h?l$/.test(arch) && arch.endsWith('hl')) return 'armhfp';
  if (/^x86_64(_v\d)?$|^amd64$/.test(arch)) return 'x86_64';
  return arch;
}

/** VERSION_ID of the tree's os-release (usr/lib first, as systemd reads it), for $releasever. */
export function releaseVersion(tree: string): string | undefined {
  for (const file of ['usr/lib/os-release', 'usr/etc/os-release', 'etc/os-release']) {
    let text: string;
    try {
      // Only a regular file below the tree: a symlink (etc/os-release) is not followed out of it.
      if (!lstatBeneath(tree, file)?.isFile()) continue;
      text = fs.readFileSync(path.join(tree, file), 'utf8');
    } catch {
      continue;
    }
    const match = /^VERSION_ID=(["']?)(.*)\1\s*$/m.exec(text);
    if (match) return match[2];
  }
  return undefined;
}
