import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ArborError, ErrorCode, type HookContext, type Transport } from '@arbor/core';

export interface Checksum {
  type: string;
  value: string;
}

/** rpm-md names hashes as createrepo_c writes them; `sha` is yum's old name for SHA-1. */
const HASHES: Record<string, string> = {
  md5: 'md5', sha: 'sha1', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
};

/** repomd.xml is small; a larger answer is not a repomd.xml. */
const REPOMD_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Gets files of one repository, local or remote, and proves each against the checksum the
 * repo's metadata records before anyone reads it. Remote files stream to a temp file in the
 * cache directory while they are hashed and are renamed to their checksum only when it
 * matches, so a second compose reuses them and a damaged download is never seen under a
 * valid name. Local files are checked where they are.
 */
export class RepoFileCache {
  constructor(
    private readonly options: {
      repo: string;
      /** A local directory, or an `http(s)://` base URL ending in `/`. */
      base: string;
      cacheDir: string;
      /** The `fetch` hook's transport for the base URL (plugins/http), when a plugin offers one. */
      transport?: Transport;
    },
  ) {}

  /** Reads a file the repo does not checksum (repomd.xml itself). */
  async readUnverified(relative: string, context: HookContext): Promise<Buffer> {
    if (!isRemote(this.options.base)) return fs.promises.readFile(path.join(this.options.base, relative));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await this.open(relative, this.options.base, REPOMD_MAX_BYTES, context)) {
      size += chunk.length;
      if (size > REPOMD_MAX_BYTES) throw new ArborError(ErrorCode.RPMMD_METADATA_INVALID, `${relative} of repo ${this.options.repo} is larger than ${REPOMD_MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /**
   * Returns the local path of `relative` once its bytes match `checksum`. `what` names the
   * file in errors: "primary.xml of repo fedora", "package bash-5.2-1.x86_64 (...)".
   * `size`, when the metadata records it, bounds the download.
   */
  async fetchVerified(
    relative: string, checksum: Checksum, what: string, context: HookContext, options: { base?: string; size?: number } = {},
  ): Promise<string> {
    const algorithm = HASHES[checksum.type.toLowerCase()];
    if (!algorithm) {
      throw new ArborError(ErrorCode.RPMMD_CHECKSUM_UNSUPPORTED, `${what}: unsupported checksum type "${checksum.type}"`);
    }
    const base = options.base ?? this.options.base;
    if (!isRemote(base)) {
      const local = path.join(base, relative);
      const hash = crypto.createHash(algorithm);
      await pipeline(fs.createReadStream(local), hash).catch((error: NodeJS.ErrnoException) => {
        throw new ArborError(ErrorCode.RPMMD_FILE_MISSING, `${what}: cannot read ${local} (${error.code ?? error.message})`);
      });
      this.check(hash.digest('hex'), checksum, what);
      return local;
    }
    const cached = path.join(this.options.cacheDir, `${algorithm}-${checksum.value}`);
    if (fs.existsSync(cached) && (await hashFile(cached, algorithm)) === checksum.value) return cached;
    await fs.promises.mkdir(this.options.cacheDir, { recursive: true });
    const temporary = `${cached}.${process.pid}.${Date.now()}.part`;
    try {
      const hash = crypto.createHash(algorithm);
      const body = await this.open(relative, base, options.size, context);
      await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      }, fs.createWriteStream(temporary));
      this.check(hash.digest('hex'), checksum, what);
      await fs.promises.rename(temporary, cached);
      return cached;
    } finally {
      await fs.promises.rm(temporary, { force: true });
    }
  }

  private check(actual: string, expected: Checksum, what: string): void {
    if (actual === expected.value) return;
    throw new ArborError(
      ErrorCode.RPMMD_CHECKSUM_MISMATCH,
      `${what} is corrupt: ${expected.type} is ${actual}, the repo metadata says ${expected.value}`,
      { hint: 'The repository changed under us or the file was damaged; refresh the repository metadata (createrepo_c --update) or re-download' },
    );
  }

  /** The body of a remote file: through the transport for the repo's own base, else Node's fetch (xml:base elsewhere). */
  private async open(relative: string, base: string, maxBytes: number | undefined, context: HookContext): Promise<AsyncIterable<Buffer>> {
    if (this.options.transport && base === this.options.base) {
      return (await this.options.transport.open(relative, { signal: context.signal, maxBytes })).body;
    }
    const url = new URL(relative, base);
    let response: Response;
    try {
      response = await fetch(url, { signal: context.signal });
    } catch (error) {
      throw new ArborError(ErrorCode.RPMMD_FETCH_FAILED, `Cannot fetch ${url.href} for repo ${this.options.repo}: ${(error as Error).message}`);
    }
    if (!response.ok || !response.body) {
      throw new ArborError(ErrorCode.RPMMD_FETCH_FAILED, `Cannot fetch ${url.href} for repo ${this.options.repo}: HTTP ${response.status}`);
    }
    return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
  }
}

function isRemote(base: string): boolean {
  return /^https?:\/\//.test(base);
}

async function hashFile(file: string, algorithm: string): Promise<string> {
  const hash = crypto.createHash(algorithm);
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}
