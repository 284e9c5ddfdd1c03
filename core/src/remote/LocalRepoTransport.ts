import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { Transport, TransportGetOptions, TransportResponse } from '../hooks';
import { Codec, compressContent } from '../store/ArchiveCodec';
import { encodeFileHeader } from '../store/FileHeader';
import { readFileContent } from '../store/FileObject';
import type { ObjectKindName } from '../store/ObjectId';
import type { Repo } from '../store/Repo';

/** The paths a client of an archive repo asks for (docs/format.md §4.3); nothing else is answered. */
const OBJECT_PATH = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})\.(commit|commitsig|dirtree|dirmeta|filez)$/;
const REF_PATH = /^refs\/heads\/(.+)$/;

/**
 * A local repo of any mode seen as an archive repo, so `pull` can read it (pull-local): the
 * same requests, the same checks. Metadata objects are the same bytes in every mode (format.md
 * §4); a bare or user repo's file object is re-encoded as `.filez` (its header rebuilt from
 * lstat/xattrs, as fsck reads it) and left unverified here, since the pull hashes every object
 * it receives and names the one that does not match. Refs are read from refs/ and never from
 * the summary, which may be older than the refs of a repo that is still being composed into.
 */
export class LocalRepoTransport implements Transport {
  readonly stats = { requests: 0, bytes: 0 };

  /** `compress`: zstd file contents as an archive repo stores them (for an archive destination). */
  constructor(private readonly source: Repo, private readonly compress: boolean) {}

  async get(relative: string, options: TransportGetOptions = {}): Promise<Buffer> {
    options.signal?.throwIfAborted();
    this.stats.requests++;
    const bytes = this.read(relative);
    if (options.maxBytes !== undefined && bytes.length > options.maxBytes) {
      throw new ArborError(ErrorCode.REMOTE_TOO_LARGE, `${this.where(relative)}: too large (limit ${options.maxBytes} bytes, it has ${bytes.length})`);
    }
    this.stats.bytes += bytes.length;
    return bytes;
  }

  async open(relative: string, options: TransportGetOptions = {}): Promise<TransportResponse> {
    const bytes = await this.get(relative, options);
    return { length: bytes.length, body: (async function* () { yield bytes; })() };
  }

  async close(): Promise<void> {}

  private read(relative: string): Buffer {
    if (relative === 'config') return Buffer.from('[core]\nrepo_version=1\nmode=archive\ncompression=zstd\n');
    const ref = REF_PATH.exec(relative);
    if (ref) {
      const commit = this.tryRef(ref[1]!);
      if (!commit) throw this.notFound(relative);
      return Buffer.from(`${commit}\n`);
    }
    const object = OBJECT_PATH.exec(relative);
    if (!object) throw this.notFound(relative);
    const id = object[1]! + object[2]!;
    const kind = object[3] as ObjectKindName;
    if (kind !== 'filez' || this.source.mode === 'archive') return this.readFile(this.source.objectPath(id, kind), relative);
    // lstat: a bare repo's symlink object is a real (often dangling) symlink.
    if (!fs.lstatSync(this.source.objectPath(id, 'file'), { throwIfNoEntry: false })) throw this.notFound(relative);
    const { meta, content } = readFileContent(this.source.fileObject(id), { verify: false });
    const { codec, payload } = this.compress ? compressContent(content) : { codec: Codec.raw, payload: content };
    return Buffer.concat([encodeFileHeader(meta), Buffer.of(codec), payload]);
  }

  private tryRef(name: string): string | undefined {
    try {
      return this.source.readRef(name);
    } catch {
      return undefined;
    }
  }

  private readFile(file: string, relative: string): Buffer {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw this.notFound(relative);
      throw new ArborError(ErrorCode.REMOTE_UNREACHABLE, `${this.where(relative)}: ${(error as Error).message}`, { cause: error });
    }
  }

  private where(relative: string): string {
    return `${this.source.path}/${relative}`;
  }

  private notFound(relative: string): ArborError {
    return new ArborError(ErrorCode.REMOTE_NOT_FOUND, `${this.where(relative)}: not found`);
  }
}
