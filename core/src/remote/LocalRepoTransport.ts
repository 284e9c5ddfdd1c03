import fs from 'node:fs';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { Transport, TransportGetOptions, TransportResponse } from '../hooks';
import { Codec, compressContent, ZstdStreamCompressor } from '../store/ArchiveCodec';
import { encodeFileHeader, isSymlinkMode } from '../store/FileHeader';
import { readFileContent, readFileMeta, WHOLE_FILE_LIMIT } from '../store/FileObject';
import type { ObjectKindName } from '../store/ObjectId';
import type { Repo } from '../store/Repo';

/** The paths a client of an archive repo asks for (docs/format.md §4.3); nothing else is answered. */
const OBJECT_PATH = /^objects\/([0-9a-f]{2})\/([0-9a-f]{62})\.(commit|commitsig|dirtree|dirmeta|filez)$/;
const REF_PATH = /^refs\/heads\/(.+)$/;
/** Bytes per read when a large file object is streamed. */
const STREAM_CHUNK = 1 << 20;

/** A file object too large to read whole: the file to stream, what goes before its content, and the length when known. */
interface LargeFileObject {
  file: string;
  /** For a bare or user source: the archive header and codec byte to send first (an archive object is sent as stored). */
  head?: Buffer;
  length?: number;
}

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

  /**
   * A file object of WHOLE_FILE_LIMIT or more is streamed from disk, re-encoded chunk by chunk
   * for a bare or user source, so a multi-GB file never sits in memory; anything smaller is
   * read whole, as `get` does.
   */
  async open(relative: string, options: TransportGetOptions = {}): Promise<TransportResponse> {
    const object = OBJECT_PATH.exec(relative);
    const large = object?.[3] === 'filez' ? this.largeFileObject(object[1]! + object[2]!, relative) : undefined;
    if (!large) {
      const bytes = await this.get(relative, options);
      return { length: bytes.length, body: (async function* () { yield bytes; })() };
    }
    options.signal?.throwIfAborted();
    this.stats.requests++;
    if (large.length !== undefined && options.maxBytes !== undefined && large.length > options.maxBytes) {
      throw new ArborError(ErrorCode.REMOTE_TOO_LARGE, `${this.where(relative)}: too large (limit ${options.maxBytes} bytes, it has ${large.length})`);
    }
    return { ...(large.length !== undefined ? { length: large.length } : {}), body: this.streamObject(large, relative, options) };
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

  /** How to stream a large file object, or undefined when it is small enough to read whole. */
  private largeFileObject(id: string, relative: string): LargeFileObject | undefined {
    if (this.source.mode === 'archive') {
      const file = this.source.objectPath(id, 'filez');
      const size = fs.lstatSync(file, { throwIfNoEntry: false })?.size;
      return size !== undefined && size >= WHOLE_FILE_LIMIT ? { file, length: size } : undefined;
    }
    const file = this.source.objectPath(id, 'file');
    if (!fs.lstatSync(file, { throwIfNoEntry: false })) throw this.notFound(relative);
    const meta = readFileMeta(this.source.fileObject(id));
    if (isSymlinkMode(meta.mode) || meta.size < WHOLE_FILE_LIMIT) return undefined;
    const head = Buffer.concat([encodeFileHeader(meta), Buffer.of(this.compress ? Codec.zstd : Codec.raw)]);
    return { file, head, length: this.compress ? undefined : head.length + meta.size };
  }

  /** The object's bytes in chunks: as stored (archive), or a header and the content, zstd-compressed for an archive destination. */
  private async *streamObject(large: LargeFileObject, relative: string, options: TransportGetOptions): AsyncGenerator<Buffer> {
    let sent = 0;
    const pending: Buffer[] = [];
    const take = (chunk: Buffer) => {
      sent += chunk.length;
      if (options.maxBytes !== undefined && sent > options.maxBytes) {
        throw new ArborError(ErrorCode.REMOTE_TOO_LARGE, `${this.where(relative)}: too large (limit ${options.maxBytes} bytes)`);
      }
      this.stats.bytes += chunk.length;
      pending.push(chunk);
    };
    const compressor = large.head && this.compress ? new ZstdStreamCompressor(take) : undefined;
    if (large.head) take(large.head);
    const handle = await fs.promises.open(large.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? this.notFound(relative) : new ArborError(ErrorCode.REMOTE_UNREACHABLE, `${this.where(relative)}: ${error.message}`, { cause: error });
    });
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        // A fresh buffer per read: chunks are handed on, not copied.
        const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(STREAM_CHUNK), 0, STREAM_CHUNK, null);
        const chunk = buffer.subarray(0, bytesRead);
        if (compressor) compressor.push(chunk, bytesRead === 0);
        else if (bytesRead > 0) take(chunk);
        yield* pending.splice(0);
        if (bytesRead === 0) break;
      }
    } finally {
      await handle.close();
    }
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
