import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { blake3Backend } from './Blake3';
import { encodeFileHeader, isSymlinkMode } from './FileHeader';
import { readFileMeta, streamFileContent, type FileObjectRef } from './FileObject';
import type { ObjectId } from './ObjectId';
import { isUnsafeWorldWritable, octalPermissions } from './WorldWritable';
import { ErrorCode } from '../errors/codes';
import { fileObjectKind, type RepoMode } from './RepoMode';

export interface VerifyJob {
  index: number;
  id: ObjectId;
}

export interface VerifyResult {
  index: number;
  /** ok, missing, corrupt with the reason, or invalid: intact, but unsafe to keep (a world-writable bare object). */
  status: 'ok' | 'missing' | 'corrupt' | 'invalid';
  reason?: string;
  bytes: number;
}

const SMALL = 1 << 20;

/**
 * Re-hashes one file object from what is on disk — metadata as the repo mode keeps it, then the
 * content — and compares with its ID. Runs on fsck's worker threads.
 */
export class FileVerifier {
  private readonly kind: 'file' | 'filez';

  constructor(private readonly options: { repoPath: string; repoMode: RepoMode }) {
    this.kind = fileObjectKind(options.repoMode);
  }

  verify(job: VerifyJob): VerifyResult {
    const ref: FileObjectRef = {
      id: job.id,
      path: path.join(this.options.repoPath, 'objects', job.id.slice(0, 2), `${job.id.slice(2)}.${this.kind}`),
      mode: this.options.repoMode,
    };
    try {
      const meta = readFileMeta(ref);
      let actual: string;
      if (isSymlinkMode(meta.mode)) {
        actual = blake3Backend().hash(encodeFileHeader(meta)).toString('hex');
      } else if (this.options.repoMode !== 'archive' && meta.size <= SMALL) {
        // header+content in one buffer and one BLAKE3 call, as commit hashed it.
        const header = encodeFileHeader(meta);
        const bytes = Buffer.allocUnsafe(header.length + meta.size);
        header.copy(bytes, 0);
        const fd = fs.openSync(ref.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
        let offset = header.length;
        try {
          while (offset < bytes.length) {
            const read = fs.readSync(fd, bytes, offset, bytes.length - offset, null);
            if (read === 0) break;
            offset += read;
          }
          if (offset < bytes.length || fs.readSync(fd, Buffer.alloc(1), 0, 1, null) !== 0) {
            return { index: job.index, status: 'corrupt', reason: `content length differs from the ${meta.size} bytes recorded`, bytes: meta.size };
          }
        } finally {
          fs.closeSync(fd);
        }
        actual = blake3Backend().hash(bytes).toString('hex');
      } else {
        actual = streamFileContent(ref, meta, () => {});
      }
      if (actual !== job.id) return { index: job.index, status: 'corrupt', reason: `bytes hash to ${actual}`, bytes: meta.size };
      if (isUnsafeWorldWritable(meta.mode, this.options.repoMode)) {
        return { index: job.index, status: 'invalid', reason: `a world-writable file (mode ${octalPermissions(meta.mode)}) that any user can rewrite through every checkout that links it`, bytes: meta.size };
      }
      return { index: job.index, status: 'ok', bytes: meta.size };
    } catch (error) {
      if (error instanceof ArborError && error.code === ErrorCode.STORE_OBJECT_MISSING) return { index: job.index, status: 'missing', bytes: 0 };
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { index: job.index, status: 'missing', bytes: 0 };
      if (error instanceof ArborError) return { index: job.index, status: 'corrupt', reason: error.message.replace(/^.*? is corrupt: /, ''), bytes: 0 };
      return { index: job.index, status: 'corrupt', reason: (error as Error).message, bytes: 0 };
    }
  }
}
