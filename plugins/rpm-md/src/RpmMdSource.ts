import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArborError, ErrorCode, type HookContext, type PackageRecord, type PackageSource, type SourceSpec, type Transport } from '@arbor/core';
import { readFilelistsXml } from './FilelistsXmlReader';
import { openMetadataFile } from './openMetadataFile';
import { readPrimaryXml } from './PrimaryXmlReader';
import { RepoFileCache } from './RepoFileCache';
import { parseRepoMetadata, type RepoDataEntry, type RepoMetadata } from './RepoMetadata';
import { nevra, type RpmPackage } from './RpmPackage';

/**
 * An rpm-md repository (a directory or base URL holding `repodata/repomd.xml`) as a package
 * source. repomd.xml is read first; primary.xml (and filelists.xml, only when asked) are
 * fetched and checked against the checksums repomd.xml records before they are parsed, and
 * every package against the checksum primary.xml records before it is handed to install.
 */
export class RpmMdSource implements PackageSource {
  readonly id: string;
  /** rpm-md repos hold RPMs: the error when nothing installs them names the plugin for it. */
  readonly installer = 'the rpm plugin (@arbor/plugin-rpm; preset fedora has it)';
  private readonly files: RepoFileCache;
  private repomd?: RepoMetadata;
  private records?: RpmPackage[];

  /** `transport` is the `fetch` hook's answer for an http(s) base URL; without one, Node's fetch is used. */
  constructor(spec: SourceSpec, private readonly transport?: Transport) {
    this.id = spec.id;
    this.files = new RepoFileCache({
      repo: spec.id,
      base: normalizeBase(spec.url),
      // Compose always passes one; a bare RpmMdSource (tests, tools) caches under the temp dir.
      cacheDir: spec.cacheDir ?? path.join(os.tmpdir(), 'arbor-rpm-md-cache'),
      transport,
    });
  }

  async close(): Promise<void> {
    await this.transport?.close();
  }

  async packages(context: HookContext): Promise<RpmPackage[]> {
    if (this.records) return this.records;
    const file = await this.metadataFile('primary', context);
    try {
      this.records = await readPrimaryXml(await openMetadataFile(file), this.id);
    } catch (error) {
      throw this.invalid('primary.xml', error);
    }
    context.logger.debug(`repo ${this.id}: ${this.records.length} packages`);
    return this.records;
  }

  async fileLists(context: HookContext): Promise<Map<PackageRecord, string[]>> {
    const records = await this.packages(context);
    const result = new Map<PackageRecord, string[]>();
    if (!(await this.metadata(context)).data.has('filelists')) return result;
    const file = await this.metadataFile('filelists', context);
    let byPkgid: Map<string, string[]>;
    try {
      byPkgid = await readFilelistsXml(await openMetadataFile(file));
    } catch (error) {
      throw this.invalid('filelists.xml', error);
    }
    for (const pkg of records) {
      const files = byPkgid.get(pkg.checksum.value);
      if (files) result.set(pkg, files);
    }
    return result;
  }

  async download(pkg: PackageRecord, context: HookContext): Promise<string> {
    const rpm = pkg as RpmPackage;
    const what = `package ${nevra(rpm)} (${rpm.location}) from repo ${this.id}`;
    if (!rpm.checksum?.value) {
      throw new ArborError(ErrorCode.RPMMD_METADATA_INVALID, `${what} has no checksum in primary.xml`);
    }
    return this.files.fetchVerified(rpm.location, rpm.checksum, what, context, { base: rpm.locationBase, size: rpm.size || undefined });
  }

  private async metadata(context: HookContext): Promise<RepoMetadata> {
    if (this.repomd) return this.repomd;
    let xml: Buffer;
    try {
      xml = await this.files.readUnverified('repodata/repomd.xml', context);
    } catch (error) {
      // A missing repomd.xml means the URL or directory is not a repo; other transport errors
      // (timeouts, 5xx) say what they are already.
      const missing = !(error instanceof ArborError) || error.code === ErrorCode.REMOTE_NOT_FOUND;
      if (!missing) throw error;
      const reason = error instanceof ArborError ? error.message : (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ArborError(ErrorCode.RPMMD_METADATA_INVALID, `Repo ${this.id} has no readable repodata/repomd.xml (${reason})`, {
        hint: 'Point the treefile\'s repos at the directory or URL that holds repodata/ (run createrepo_c on a directory of RPMs)',
      });
    }
    try {
      this.repomd = parseRepoMetadata(xml.toString('utf8'));
    } catch (error) {
      throw this.invalid('repomd.xml', error);
    }
    return this.repomd;
  }

  private async metadataFile(type: string, context: HookContext): Promise<string> {
    const entry: RepoDataEntry | undefined = (await this.metadata(context)).data.get(type);
    if (!entry) {
      throw new ArborError(ErrorCode.RPMMD_METADATA_INVALID, `Repo ${this.id}: repomd.xml lists no ${type} metadata`);
    }
    return this.files.fetchVerified(entry.location, entry.checksum, `${type}.xml of repo ${this.id}`, context, { size: entry.size });
  }

  private invalid(what: string, error: unknown): ArborError {
    if (error instanceof ArborError) return error;
    const message = (error as Error).message.split('\n')[0];
    return new ArborError(ErrorCode.RPMMD_METADATA_INVALID, `Repo ${this.id}: ${what} does not parse: ${message}`);
  }
}

/** `file://` URLs and relative paths become absolute directories; http(s) bases end in `/`. */
function normalizeBase(url: string): string {
  if (/^https?:\/\//.test(url)) return url.endsWith('/') ? url : `${url}/`;
  if (url.startsWith('file://')) return fileURLToPath(url);
  return path.resolve(url);
}
