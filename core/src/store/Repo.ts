import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { withFileLock } from '../fs/FileLock';
import { setXattr } from '../fs/xattr';
import { blake3 } from './Blake3';
import { decodeCommit, type Commit } from './Commit';
import { decodeCommitSignatures, encodeCommitSignatures, type SignatureEntry } from './CommitSignature';
import { decodeDirMeta, type DirMeta } from './DirMeta';
import { decodeDirTree, type DirTree } from './DirTree';
import type { WorldWritablePolicy } from './FileHasher';
import type { FileMeta } from './FileHeader';
import { missingObject, readFileContent, readFileMeta, type FileObjectRef } from './FileObject';
import { assertObjectId, objectRelPath, type ObjectId, type ObjectKindName } from './ObjectId';
import { RefStore, type RefUpdateOptions } from './RefStore';
import { RepoConfig } from './RepoConfig';
import { RepoLock, type LockKind, type LockOptions } from './RepoLock';
import { fileObjectKind, REPO_MODES, type RepoMode } from './RepoMode';
import { resolveRev } from './resolveRev';

export interface InitOptions {
  /** Default: bare as root, user otherwise (docs/command-contract.md). */
  mode?: RepoMode;
}

const REPO_VERSION = '1';

/**
 * An open repository: its mode, its objects and its refs (docs/format.md, layout in
 * docs/format.md §4). Reads are synchronous: they are small local reads done in tight loops
 * (a checkout reads thousands of dirtrees), where promises would only add overhead. Every
 * metadata object is re-hashed as it is read, so a corrupt or hostile object is refused before
 * anything acts on it.
 */
export class Repo {
  readonly refs: RefStore;
  private readonly dirMetaCache = new Map<ObjectId, DirMeta>();
  private readonly knownShards = new Set<string>();

  private constructor(readonly path: string, readonly mode: RepoMode, readonly config: RepoConfig) {
    this.refs = new RefStore(this.path);
  }

  /** Opens an existing repo; ARBOR_STORE_NOT_A_REPO names the path when it is not one. */
  static open(repoPath: string): Repo {
    const root = path.resolve(repoPath);
    const configFile = path.join(root, 'config');
    let text: string;
    try {
      text = fs.readFileSync(configFile, 'utf8');
    } catch {
      throw notARepo(root, 'it has no config file');
    }
    const config = RepoConfig.parse(text, configFile);
    const mode = config.get('core', 'mode') as RepoMode | undefined;
    if (!mode || !REPO_MODES.includes(mode)) throw notARepo(root, `config has no [core] mode of ${REPO_MODES.join('|')}`);
    if (config.get('core', 'repo_version') !== REPO_VERSION) throw notARepo(root, `config has repo_version ${config.get('core', 'repo_version')}, not ${REPO_VERSION}`);
    if (!isDirectory(path.join(root, 'objects'))) throw notARepo(root, 'it has no objects/ directory');
    if (mode === 'bare') lockDownBareStore(root);
    return new Repo(root, mode, config);
  }

  /**
   * Creates a repo, or opens it when one of the same mode is already there. The config file is
   * written last, so an interrupted init never leaves something that looks like a repo.
   */
  static init(repoPath: string, options: InitOptions = {}): Repo {
    const root = path.resolve(repoPath);
    const mode = options.mode ?? (process.getuid?.() === 0 ? 'bare' : 'user');
    if (!REPO_MODES.includes(mode)) {
      throw new ArborError(ErrorCode.USAGE, `Unknown repo mode "${mode}"`, { hint: `Use ${REPO_MODES.join(', ')}`, exitCode: 2 });
    }
    if (fs.existsSync(path.join(root, 'config'))) {
      const existing = Repo.open(root);
      if (existing.mode !== mode) {
        throw new ArborError(ErrorCode.STORE_REPO_EXISTS, `${root} is already a ${existing.mode} repo`, { hint: 'Choose another directory' });
      }
      return existing;
    }
    if (fs.existsSync(root)) {
      if (!isDirectory(root)) throw new ArborError(ErrorCode.STORE_REPO_EXISTS, `${root} exists and is not a directory`);
      const entries = fs.readdirSync(root);
      if (entries.length > 0) {
        throw new ArborError(ErrorCode.STORE_REPO_EXISTS, `${root} is not empty and is not a repo`, { hint: 'init needs a new or empty directory' });
      }
    }
    const created = !fs.existsSync(root);
    try {
      for (const dir of ['objects', 'refs/heads', 'refs/remotes', 'tmp']) fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o755 });
      if (mode === 'bare') lockDownBareStore(root);
      if (mode === 'user') probeUserXattrs(root);
    } catch (error) {
      // Leave the directory as it was: nothing half-initialized.
      for (const dir of ['objects', 'refs', 'tmp']) fs.rmSync(path.join(root, dir), { recursive: true, force: true });
      if (created) fs.rmSync(root, { recursive: true, force: true });
      throw error;
    }
    const config = new RepoConfig();
    config.set('core', 'repo_version', REPO_VERSION);
    config.set('core', 'mode', mode);
    if (mode === 'archive') config.set('core', 'compression', 'zstd');
    const temp = path.join(root, 'tmp', `config.${process.pid}`);
    fs.writeFileSync(temp, config.toString(), { mode: 0o644 });
    fs.renameSync(temp, path.join(root, 'config'));
    return new Repo(root, mode, config);
  }

  /** `[core] world_writable`: what a commit does with a world-writable file (FileHasher). */
  get worldWritablePolicy(): WorldWritablePolicy {
    const value = this.config.get('core', 'world_writable') ?? 'strip';
    if (value !== 'strip' && value !== 'refuse') {
      throw new ArborError(ErrorCode.CONFIG_INVALID, `${path.join(this.path, 'config')}: [core] world_writable is "${value}"`, { hint: 'Use strip or refuse' });
    }
    return value;
  }

  /** The kind file objects have in this repo: `filez` in archive mode, else `file`. */
  get fileKind(): 'file' | 'filez' {
    return fileObjectKind(this.mode);
  }

  objectPath(id: ObjectId, kind: ObjectKindName): string {
    return path.join(this.path, objectRelPath(id, kind));
  }

  hasObject(id: ObjectId, kind: ObjectKindName): boolean {
    try {
      fs.lstatSync(this.objectPath(id, kind));
      return true;
    } catch {
      return false;
    }
  }

  /** The bytes of a metadata object, checked against its ID. */
  readVerifiedObject(id: ObjectId, kind: 'dirtree' | 'dirmeta' | 'commit'): Buffer {
    assertObjectId(id);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.objectPath(id, kind));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') throw missingObject(id, kind);
      throw error;
    }
    const actual = blake3(bytes).toString('hex');
    if (actual !== id) {
      throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Object ${id}.${kind} is corrupt: its bytes hash to ${actual}`, {
        hint: 'Run `arbor fsck` to list every damaged object',
      });
    }
    return bytes;
  }

  readDirTree(id: ObjectId): DirTree {
    return decodeDirTree(this.readVerifiedObject(id, 'dirtree'), `Dirtree ${id}`);
  }

  readDirMeta(id: ObjectId): DirMeta {
    let meta = this.dirMetaCache.get(id);
    if (!meta) {
      meta = decodeDirMeta(this.readVerifiedObject(id, 'dirmeta'), `Dirmeta ${id}`);
      this.dirMetaCache.set(id, meta);
    }
    return meta;
  }

  readCommit(id: ObjectId): Commit {
    return decodeCommit(this.readVerifiedObject(id, 'commit'), `Commit ${id}`);
  }

  fileObject(id: ObjectId): FileObjectRef {
    assertObjectId(id);
    return { id, path: this.objectPath(id, this.fileKind), mode: this.mode };
  }

  /** A file object's metadata (owner, mode, size, symlink target, xattrs). */
  readFileMeta(id: ObjectId): FileMeta {
    return readFileMeta(this.fileObject(id));
  }

  /** A file object's metadata and content, verified against its ID. */
  readFile(id: ObjectId): { meta: FileMeta; content: Buffer } {
    return readFileContent(this.fileObject(id));
  }

  readCommitSignatures(commit: ObjectId): SignatureEntry[] | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.objectPath(assertObjectId(commit), 'commitsig'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return decodeCommitSignatures(bytes, `Signatures of commit ${commit}`);
  }

  /** Replaces the detached signatures of `commit` (atomically). */
  writeCommitSignatures(commit: ObjectId, entries: SignatureEntry[]): void {
    this.writeObjectFile(this.objectPath(assertObjectId(commit), 'commitsig'), encodeCommitSignatures(entries), true);
  }

  /**
   * Read-modify-write of a commit's signatures under a lock of their own, so two `arbor sign`
   * runs with different keys both land (without it, the later rename drops the other's key).
   */
  updateCommitSignatures(commit: ObjectId, update: (entries: SignatureEntry[]) => SignatureEntry[]): void {
    const lock = path.join(this.path, 'refs', '.locks', `commitsig-${assertObjectId(commit)}`);
    withFileLock(lock, () => this.writeCommitSignatures(commit, update(this.readCommitSignatures(commit) ?? [])));
  }

  /**
   * Writes one dirtree, dirmeta or commit given its canonical bytes, and returns its ID. For
   * single objects (pull, tools); a commit writes through ObjectStaging instead.
   */
  writeMetadataObject(kind: 'dirtree' | 'dirmeta' | 'commit', bytes: Buffer): ObjectId {
    const id = blake3(bytes).toString('hex');
    const target = this.objectPath(id, kind);
    if (!fs.existsSync(target)) this.writeObjectFile(target, bytes, false);
    return id;
  }

  /**
   * A dot-named temp file in the shard directory, fsync, rename into place: readers see the
   * whole object or none. Beside the target rather than in tmp/, since callers may write
   * without the repo lock and prune empties tmp/; prune removes dot files a killed writer left.
   */
  private writeObjectFile(target: string, bytes: Buffer, replace: boolean): void {
    this.ensureShard(path.dirname(target));
    const temp = path.join(path.dirname(target), `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = fs.openSync(temp, 'wx', 0o644);
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    if (!replace && fs.existsSync(target)) {
      fs.unlinkSync(temp);
      return;
    }
    fs.renameSync(temp, target);
  }

  /** Creates `objects/XX` once per process. */
  ensureShard(shardDir: string): void {
    if (this.knownShards.has(shardDir)) return;
    fs.mkdirSync(shardDir, { recursive: true, mode: 0o755 });
    this.knownShards.add(shardDir);
  }

  /** A commit ID from a ref, a full ID, a unique prefix of 8+ hex digits, or any of them + `^`. */
  resolveRev(rev: string): ObjectId {
    return resolveRev(this, rev);
  }

  readRef(ref: string): ObjectId | undefined {
    return this.refs.read(ref);
  }

  /** Moves a ref; with `expected`, only if it still holds that ID (ARBOR_STORE_REF_MOVED otherwise). */
  setRef(ref: string, commit: ObjectId, options?: RefUpdateOptions): void {
    this.refs.set(ref, commit, options);
  }

  deleteRef(ref: string): void {
    this.refs.delete(ref);
  }

  /** Every ref, local ones by name and remote ones as `remote:name`, sorted. */
  listRefs(): Record<string, ObjectId> {
    return this.refs.list();
  }

  /** Shared for writers and readers that need objects to stay, exclusive for prune. */
  lock(kind: LockKind, options?: LockOptions): Promise<RepoLock> {
    return RepoLock.acquire(this.path, kind, options);
  }

  /** Directory for temporary files on the repo's filesystem (renames into objects/ are atomic). */
  get tmpPath(): string {
    return path.join(this.path, 'tmp');
  }
}

/**
 * A bare repo's objects are the system's real files, setuid bits, writable modes and all, and
 * its tmp/ holds them while a commit or pull runs. So objects/ and tmp/ are 0700: only their
 * owner (root, for a system repo) may reach them. Otherwise any user could run a setuid binary
 * that an update removed from the OS but the repo still holds, or rewrite a writable object
 * that every hardlinked deployment shares (docs/format.md §4). Repos made before this rule are
 * tightened when their owner opens them.
 */
function lockDownBareStore(root: string): void {
  for (const dir of ['objects', 'tmp']) {
    const target = path.join(root, dir);
    const stat = fs.lstatSync(target, { throwIfNoEntry: false });
    if (!stat?.isDirectory() || (stat.mode & 0o077) === 0 || stat.uid !== process.getuid?.()) continue;
    try {
      fs.chmodSync(target, 0o700);
    } catch (error) {
      // A read-only mount keeps its modes; nothing can write objects there either.
      if ((error as NodeJS.ErrnoException).code !== 'EROFS') throw error;
    }
  }
}

function notARepo(root: string, reason: string): ArborError {
  return new ArborError(ErrorCode.STORE_NOT_A_REPO, `${root} is not an Arbor repo: ${reason}`, {
    hint: 'Create one with `arbor init --repo PATH`',
  });
}

function isDirectory(target: string): boolean {
  try {
    return fs.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

/** user mode keeps metadata in a user.* xattr; refuse to create a repo where that cannot work. */
function probeUserXattrs(root: string): void {
  const probe = path.join(root, 'tmp', `xattr-probe.${process.pid}`);
  fs.writeFileSync(probe, '');
  try {
    setXattr(probe, 'user.arbor.probe', Buffer.from('1'));
  } catch (error) {
    throw new ArborError(ErrorCode.STORE_MODE_UNSUPPORTED, `The filesystem of ${root} does not keep user xattrs, which user-mode repos need: ${(error as Error).message}`, {
      hint: 'Put the repo on ext4, xfs or btrfs, or use --mode archive',
    });
  } finally {
    fs.rmSync(probe, { force: true });
  }
}
