import { PATH_MAX, pathTooLong } from '../fs/pathMax';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { decodeDirMeta } from '../store/DirMeta';
import { decodeDirTree } from '../store/DirTree';
import { ObjectIndex } from '../store/ObjectIndex';
import type { ObjectId } from '../store/ObjectId';
import type { Repo } from '../store/Repo';
import { fileObjectKind } from '../store/RepoMode';
import type { MetadataPrefetch } from './MetadataPrefetch';
import type { PullStaging } from './PullStaging';
import { DEFAULT_LIMITS, type RemoteRepo } from './RemoteRepo';
import type { SizeIndex } from './SizeIndex';

/** Dirtree and dirmeta requests in flight during the walk. */
const WALK_CONCURRENCY = 16;

/**
 * Walks a commit's tree from the remote, directory by directory, to learn which file objects
 * the local repo lacks. Dirtrees and dirmetas are fetched (or taken from the prefetch the size
 * index allowed), checked against their IDs, validated (`..`, `/`, NUL and unsorted names are
 * refused) and staged. A dirtree already in objects/ is skipped with everything under it:
 * objects are only published children first, so its whole subtree is present. That is what
 * makes an incremental pull cost what changed, and what proves the commit complete.
 */
/** No tree deeper than this can have its paths fit in PATH_MAX, since every level adds two bytes or more. */
const MAX_TREE_DEPTH = PATH_MAX / 2;

export class TreeWalker {
  /** File objects to fetch, in the order they were found. */
  readonly missingFiles = new Set<ObjectId>();
  /** Metadata objects fetched from the remote, and their bytes. */
  readonly fetched = { objects: 0, bytes: 0 };
  private readonly index: ObjectIndex;
  private readonly visited = new Set<string>();
  private readonly fileKind: 'file' | 'filez';

  constructor(
    private readonly repo: Repo,
    private readonly staging: PullStaging,
    private readonly remote: RemoteRepo,
    private readonly sizes: SizeIndex | undefined,
    /** Told of each missing file object as soon as it is found, so its fetch can start. */
    private readonly onMissingFile: (id: ObjectId) => void,
    index?: ObjectIndex,
    /** Metadata requested ahead of the walk, from the size index. */
    private readonly prefetch?: MetadataPrefetch,
  ) {
    this.index = index ?? new ObjectIndex(repo.path);
    this.fileKind = fileObjectKind(repo.mode);
  }

  /** A missing file the caller already asked for (from the size index): not reported again. */
  expectFile(id: ObjectId): void {
    this.missingFiles.add(id);
  }

  async walk(rootTree: ObjectId, rootMeta: ObjectId): Promise<void> {
    await this.dirMeta(rootMeta);
    const queue: { id: ObjectId; depth: number }[] = [{ id: rootTree, depth: 0 }];
    let active = 0;
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const pump = (): void => {
        if (failed) return;
        while (active < WALK_CONCURRENCY && queue.length > 0) {
          const { id, depth } = queue.shift()!;
          active++;
          this.visit(id).then((children) => {
            active--;
            // Each level adds at least "/x" to a path: past PATH_MAX / 2 levels no path fits.
            if (children.length && depth + 1 > MAX_TREE_DEPTH) {
              failed = true;
              reject(pathTooLong(`a tree ${depth + 1} directories deep (dirtree ${id})`, 2 * (depth + 1), `Commit from ${this.remote.source}`));
              return;
            }
            queue.push(...children.map((child) => ({ id: child, depth: depth + 1 })));
            pump();
          }, (error) => {
            failed = true;
            reject(error);
          });
        }
        if (active === 0 && queue.length === 0) resolve();
      };
      pump();
    });
  }

  /** One dirtree: its missing files noted, its subdirectories' metadata fetched, their trees returned. */
  private async visit(id: ObjectId): Promise<ObjectId[]> {
    if (this.visited.has(`${id}.dirtree`) || this.index.has(id, 'dirtree')) return [];
    this.visited.add(`${id}.dirtree`);
    const bytes = this.staging.readMetadata(id, 'dirtree') ?? (await this.fetch(id, 'dirtree'));
    // The native scan checks the entries and reports only what the repo lacks; anything it
    // refuses goes through the decoder, whose error names the problem.
    const missing = this.index.scanDirTree(bytes, this.fileKind);
    if (!missing) {
      try {
        decodeDirTree(bytes, `Dirtree ${id} from ${this.remote.source}`);
      } catch (error) {
        throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, (error as Error).message, { hint: (error as ArborError).hint, cause: error });
      }
      throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, `Dirtree ${id} from ${this.remote.source} is malformed`);
    }
    if (!this.staging.has(id, 'dirtree')) this.staging.writeInBackground(id, 'dirtree', bytes);
    for (const file of missing.files) {
      if (!this.staging.has(file, this.fileKind) && !this.missingFiles.has(file)) {
        this.missingFiles.add(file);
        this.onMissingFile(file);
      }
    }
    await Promise.all(missing.dirs.map((dir) => this.dirMeta(dir.meta)));
    return missing.dirs.map((dir) => dir.tree);
  }

  private async dirMeta(id: ObjectId): Promise<void> {
    if (this.visited.has(`${id}.dirmeta`) || this.index.has(id, 'dirmeta') || this.staging.has(id, 'dirmeta')) return;
    this.visited.add(`${id}.dirmeta`);
    const bytes = await this.fetch(id, 'dirmeta');
    try {
      decodeDirMeta(bytes, `Dirmeta ${id} from ${this.remote.source}`);
    } catch (error) {
      throw new ArborError(ErrorCode.PULL_OBJECT_INVALID, (error as Error).message, { cause: error });
    }
    this.staging.writeInBackground(id, 'dirmeta', bytes);
  }

  private async fetch(id: ObjectId, kind: 'dirtree' | 'dirmeta'): Promise<Buffer> {
    const bytes = await (this.prefetch?.take(id, kind) ?? this.remote.metadataObject(id, kind, this.sizes?.get(id, kind) ?? DEFAULT_LIMITS[kind]));
    this.fetched.objects++;
    this.fetched.bytes += bytes.length;
    return bytes;
  }
}
