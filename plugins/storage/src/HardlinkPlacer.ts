import fs from 'node:fs';
import { ArborError, ErrorCode, bytePathFromOs, isSymlinkMode, missingObject, osPath, type Logger, type Repo } from '@arbor/core';
import type { CopyPlacer } from './CopyPlacer';
import type { FilePlacer } from './FilePlacer';

const isRoot = process.getuid?.() === 0;

/**
 * The default strategy: every file is a hardlink of its object (same inode), so a checkout
 * costs one link(2) per file and no space. A bare object already carries its owner, mode and
 * xattrs. When linking cannot work the placer hands over to the copy strategy, or fails when
 * fallbackToCopy is off:
 *   - archive repos hold compressed objects;
 *   - a user-mode repo checked out by root: its objects carry the user's owner and masked modes,
 *     not the committed ones;
 *   - DEST on another filesystem (EXDEV), or protected_hardlinks refusing a non-root user (EPERM).
 */
export class HardlinkPlacer implements FilePlacer {
  readonly strategy = 'hardlink';
  private readonly objects: string;
  /** The same, as a latin1 byte string for FsBatch. */
  private readonly objectBytes: string;

  private constructor(private readonly repo: Repo, private readonly copy: CopyPlacer, private readonly logger: Logger, private readonly fallbackToCopy: boolean) {
    this.objects = `${repo.path}/objects/`;
    this.objectBytes = bytePathFromOs(this.objects);
  }

  static create(repo: Repo, copy: CopyPlacer, options: { fallbackToCopy: boolean }, logger: Logger): FilePlacer {
    const reason = repo.mode === 'archive'
      ? 'an archive repo holds compressed objects'
      : repo.mode === 'user' && isRoot ? 'a user-mode repo does not carry real owners and modes on its objects' : undefined;
    if (!reason) return new HardlinkPlacer(repo, copy, logger, options.fallbackToCopy);
    if (!options.fallbackToCopy) {
      throw new ArborError(ErrorCode.STORE_STRATEGY_UNKNOWN, `Cannot check out ${repo.path} with hardlinks: ${reason}`, { hint: 'Use --strategy copy' });
    }
    logger.debug(`checkout: copying instead of hardlinking, since ${reason}`);
    return copy;
  }

  /** Set once EXDEV/EPERM showed that links cannot work here; the rest is copied. */
  private fallen: string | undefined;

  /** True while links can be made without looking at the object first (bare repos). */
  get batchable(): boolean {
    return !this.fallen && this.repo.mode === 'bare';
  }

  objectPath(id: string): string {
    return `${this.objects}${id.slice(0, 2)}/${id.slice(2)}.file`;
  }

  objectBytePath(id: string): string {
    return `${this.objectBytes}${id.slice(0, 2)}/${id.slice(2)}.file`;
  }

  place(id: string, dest: string): boolean {
    if (this.fallen) return this.copy.place(id, dest);
    const object = this.objectPath(id);
    // User-mode symlinks are regular files holding a header: make a real symlink instead.
    if (this.repo.mode === 'user' && isSymlinkMode(this.repo.readFileMeta(id).mode)) return this.copy.place(id, dest);
    try {
      fs.linkSync(object, osPath(dest));
      return false;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !fs.existsSync(object)) throw missingObject(id, 'file');
      if (code === 'EMLINK') return this.copy.place(id, dest);
      if ((code === 'EXDEV' || code === 'EPERM') && this.fallbackToCopy) {
        this.fallen = code;
        this.logger.info(`Hardlinks are not possible here (${code}); copying the rest of the checkout`);
        return this.copy.place(id, dest);
      }
      throw error;
    }
  }
}
