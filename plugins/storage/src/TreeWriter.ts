import fs from 'node:fs';
import path from 'node:path';
import {
  ArborError,
  ErrorCode,
  FsBatch,
  bytePathFromOs,
  displayPath,
  errnoError,
  exceedsPathMax,
  joinBytePath,
  pathTooLong,
  osPath,
  type CheckoutRequest,
  type CheckoutResult,
  type DirTree,
  type HookContext,
  type Repo,
} from '@arbor/core';
import type { FilePlacer } from './FilePlacer';
import { HardlinkPlacer } from './HardlinkPlacer';
import { MKDIR, OWN, linkInBatches } from './BatchedLinker';
import { XattrWriter } from './XattrWriter';

interface DirNode {
  /** Destination, as a latin1 byte string. */
  dest: string;
  tree: DirTree;
  meta: string;
  /** Indexes of the subdirectories in the walk. */
  children: number[];
  /** True when the directory was there before (union): its own metadata is left alone. */
  existed?: boolean;
}

/** Checkouts of fewer files than this draw no progress bar. */
const PROGRESS_MIN = 2000;
const isRoot = process.getuid?.() === 0;

/**
 * Writes a tree from the store at request.dest. It first reads and validates every dirtree
 * (names were checked when decoded: no `.`, `..`, `/` or NUL), so a hostile repo is refused
 * before a single file is written. Then it creates directories parent-first with mode 0700,
 * places files with the strategy's placer, and applies each directory's owner, mode and xattrs
 * last, children before parents, so read-only directories can still be filled. Names and IDs
 * come from the store's own dirtrees: nothing is stat'ed or read back from DEST
 * (docs/performance.md: hardlink checkout is a syscall floor).
 */
export class TreeWriter {
  private readonly repo: Repo;
  /** Set when the batches already gave every directory but DEST its owner and mode. */
  private ownedBelowRoot = false;

  constructor(
    private readonly request: CheckoutRequest,
    private readonly placer: FilePlacer,
    private readonly context: HookContext,
    private readonly xattrs = new XattrWriter(),
  ) {
    this.repo = request.repo;
  }

  async run(): Promise<CheckoutResult> {
    const root = bytePathFromOs(this.request.dest);
    const nodes: DirNode[] = [{ dest: root, tree: this.repo.readDirTree(this.request.dirtree), meta: this.request.dirmeta, children: [] }];
    let files = 0;
    for (let index = 0; index < nodes.length; index++) {
      const node = nodes[index]!;
      files += node.tree.files.length;
      // A path no syscall can take would fail half-way through the writes; refuse it before any.
      for (const list of [node.tree.files, node.tree.dirs]) {
        for (const entry of list) if (exceedsPathMax(node.dest.length + 1 + entry.name.length)) throw this.tooLong(node.dest, entry.name);
      }
      for (const dir of node.tree.dirs) {
        node.children.push(nodes.length);
        nodes.push({ dest: joinBytePath(node.dest, dir.name), tree: this.repo.readDirTree(dir.tree), meta: dir.meta, children: [] });
      }
      if (index % 512 === 0) this.context.signal.throwIfAborted();
    }
    // Every dirmeta is read (and verified) before writing too; they are few and cached.
    for (const node of nodes) this.repo.readDirMeta(node.meta);

    const progress = files >= PROGRESS_MIN ? this.context.progress.start('checkout', files) : undefined;
    const linker = this.placer instanceof HardlinkPlacer && this.placer.batchable && !this.request.union ? this.placer : undefined;
    let copied = 0;
    try {
      nodes[0]!.existed = this.prepareRoot(root);
      if (linker) {
        copied = await this.linkInBatches(nodes, linker, progress);
      } else {
        for (let index = 0; index < nodes.length; index++) {
          const node = nodes[index]!;
          if (index > 0) node.existed = this.makeDirectory(node.dest);
          for (const file of node.tree.files) {
            if (this.placeFile(file.file, joinBytePath(node.dest, file.name))) copied++;
          }
          progress?.tick(node.tree.files.length);
          if (index % 64 === 0) this.context.signal.throwIfAborted();
        }
      }
      this.applyDirMetas(nodes);
    } finally {
      progress?.done();
    }
    this.xattrs.report(this.context.logger, this.request.dest);
    return { strategy: this.placer.strategy, files, directories: nodes.length, copied };
  }

  /**
   * A fresh hardlink checkout of a bare repo: native batches over disjoint subtrees make the
   * directories and links side by side (BatchedLinker). What failed is redone here through
   * makeDirectory and placeFile, which know about fallbacks, missing objects and errors.
   */
  private async linkInBatches(nodes: DirNode[], placer: HardlinkPlacer, progress: { tick(count?: number): void } | undefined): Promise<number> {
    // Root fills directories whatever their mode, so each gets its owner and mode as it is made.
    const owner = isRoot ? (node: number) => this.repo.readDirMeta(nodes[node]!.meta) : undefined;
    const redo = await linkInBatches(nodes, (id) => placer.objectBytePath(id), (count) => progress?.tick(count), owner);
    this.context.signal.throwIfAborted();
    if (owner) this.ownedBelowRoot = true;
    let copied = 0;
    for (const { node, file } of redo) {
      const { dest, tree } = nodes[node]!;
      if (file === MKDIR) this.makeDirectory(dest);
      else if (file === OWN) this.applyDirMeta(dest, nodes[node]!.meta);
      else if (this.placeFile(tree.files[file]!.file, joinBytePath(dest, tree.files[file]!.name))) copied++;
    }
    return copied;
  }

  private tooLong(dir: string, name: string): Error {
    const full = joinBytePath(dir, name);
    return pathTooLong(displayPath(full), full.length, `Commit ${this.request.commit} checked out at ${this.request.dest}`);
  }

  /** DEST: created (with parents) when missing; else a directory, empty unless union. */
  private prepareRoot(root: string): boolean {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(osPath(root));
    } catch {
      // Missing parents get the usual 0755; DEST itself gets its dirmeta at the end.
      fs.mkdirSync(osPath(path.dirname(root)), { recursive: true, mode: 0o755 });
      fs.mkdirSync(osPath(root), 0o700);
      return false;
    }
    if (!stat.isDirectory()) throw destExists(root, 'exists and is not a directory');
    if (this.request.union) return true;
    if (fs.readdirSync(osPath(root)).length > 0) throw destExists(root, 'is not empty', 'Check out into a new directory, or pass --union to merge');
    return false;
  }

  private makeDirectory(dest: string): boolean {
    try {
      fs.mkdirSync(osPath(dest), 0o700);
      return false;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !this.request.union) throw placeError(dest, error);
      // lstat, never stat: a symlink in DEST must not lead the checkout somewhere else.
      if (!fs.lstatSync(osPath(dest)).isDirectory()) throw destExists(dest, 'exists and is not a directory');
      return true;
    }
  }

  private placeFile(id: string, dest: string): boolean {
    try {
      return this.placer.place(id, dest);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && this.request.union) {
        if (fs.lstatSync(osPath(dest)).isDirectory()) throw destExists(dest, 'is a directory in DEST and a file in the commit');
        fs.unlinkSync(osPath(dest));
        try {
          return this.placer.place(id, dest);
        } catch (retryError) {
          throw placeError(dest, retryError, id);
        }
      }
      throw placeError(dest, error, id);
    }
  }

  /**
   * Each new directory's owner, mode and xattrs, children before parents so that a read-only
   * directory is closed only once it is full. Xattrs go first (chown of a directory keeps them,
   * and a non-root owner can still write them before the mode drops w); owner and mode follow
   * in one native batch. A directory that failed is redone alone, for its error.
   */
  private applyDirMetas(nodes: DirNode[]): void {
    const ops = new FsBatch();
    const opNodes: DirNode[] = [];
    for (let index = nodes.length - 1; index >= 0; index--) {
      const node = nodes[index]!;
      if (node.existed) continue;
      const meta = this.repo.readDirMeta(node.meta);
      this.xattrs.write(osPath(node.dest), meta.xattrs);
      if (index > 0 && this.ownedBelowRoot) continue;
      ops.chownChmod(node.dest, isRoot ? meta.uid : -1, isRoot ? meta.gid : -1, meta.mode & 0o7777);
      opNodes.push(node);
    }
    for (const failure of ops.run()) this.applyDirMeta(opNodes[failure.index]!.dest, opNodes[failure.index]!.meta);
  }

  /** Owner first, then mode (chown clears setuid/setgid), then xattrs. */
  private applyDirMeta(dest: string, metaId: string): void {
    const meta = this.repo.readDirMeta(metaId);
    const target = osPath(dest);
    if (isRoot) fs.lchownSync(target, meta.uid, meta.gid);
    fs.chmodSync(target, meta.mode & 0o7777);
    this.xattrs.write(target, meta.xattrs);
  }
}

function destExists(dest: string, what: string, hint = 'Remove it, or check out somewhere else'): ArborError {
  return new ArborError(ErrorCode.STORE_DEST_EXISTS, `${displayPath(dest)} ${what}`, { hint });
}

function placeError(dest: string, error: unknown, object?: string): Error {
  if ((error as NodeJS.ErrnoException).code === 'EEXIST') return destExists(dest, 'already exists', 'Check out into a new directory, or pass --union to replace files');
  if (error instanceof ArborError) {
    return new ArborError(error.code, `${displayPath(dest)}: ${error.message}`, { hint: error.hint, cause: error });
  }
  return errnoError(error, displayPath(dest), object && `object ${object}`);
}
