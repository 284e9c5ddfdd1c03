import fs from 'node:fs';
import { parentsOf, type InstallTree } from './InstallTree';
import { RpmErrorCode, rpmError } from './RpmError';
import { fileTypeName, S_IFDIR, S_IFMT, type RpmFile } from './RpmFileList';
import { conflictBetween, type InstalledPath, type RpmInstallState } from './RpmInstallState';
import type { ResolvedOwner } from './stagePayload';

/** One package entry and what installing it does to the tree. */
export interface PlannedEntry {
  file: RpmFile;
  /** Relative to the tree root; '' for `/`. */
  relative: string;
  owner: ResolvedOwner;
  record: InstalledPath;
  /**
   * mkdir: a directory to create; directory: one that exists, whose metadata is set;
   * place: a staged file renamed into place (replacing a non-directory already there);
   * same: identical to what an earlier package installed, left as it is (rpm skips it too);
   * ghost: recorded as owned, never created.
   */
  action: 'mkdir' | 'directory' | 'place' | 'same' | 'ghost';
}

/**
 * Decides, before anything is written, what each entry of a package will do to the tree, and
 * fails if any entry cannot be installed: a path that goes through a symlink or a file in the
 * tree, a directory where the tree (or an earlier package) has a non-directory or the other
 * way round, or a path an earlier package shipped differently (rpm's file conflict). Because
 * every check happens here, applying the plan can only fail on I/O errors.
 */
export class PlacementPlan {
  readonly entries: PlannedEntry[] = [];
  /** Parent directories no package lists, made 0755 root:root as rpm makes them. */
  private readonly implicitDirectories = new Set<string>();

  constructor(
    private readonly tree: InstallTree,
    private readonly state: RpmInstallState,
    private readonly nevra: string,
    private readonly packageFile: string,
  ) {}

  add(file: RpmFile, relative: string, owner: ResolvedOwner, record: InstalledPath): void {
    this.entries.push({ file, relative, owner, record, action: 'ghost' });
  }

  /** Checks every entry against the tree and the install state; sorts parents first. */
  decide(): void {
    this.entries.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
    const listed = new Map(this.entries.filter((e) => !e.record.ghost).map((e) => [e.relative, e]));
    const implicit = this.implicitDirectories;
    for (const entry of this.entries) {
      if (entry.record.ghost) continue;
      for (const parent of parentsOf(entry.relative)) {
        const parentEntry = listed.get(parent);
        if (parentEntry && !isDirectory(parentEntry.file.mode)) this.refuseParent(entry, parent, `${fileTypeName(parentEntry.file.mode)} of the same package`);
        if (parentEntry || implicit.has(parent)) continue;
        const existing = this.tree.inspect(parent);
        if (existing.kind === 'absent') implicit.add(parent);
        else if (existing.kind !== 'directory') this.refuseParent(entry, parent, existing.kind);
      }
      entry.action = this.actionFor(entry);
    }
  }

  private actionFor(entry: PlannedEntry): PlannedEntry['action'] {
    const path = entry.file.path;
    const previous = this.state.paths.get(path);
    if (previous && !previous.ghost) {
      const reason = conflictBetween(previous, entry.record);
      if (reason) {
        throw rpmError(RpmErrorCode.FILE_CONFLICT, this.packageFile,
          `${path} is in both ${previous.package} and ${this.nevra}, which differ (${reason})`, {
            hint: 'The two packages cannot be installed together; exclude one of them',
          });
      }
      if (!isDirectory(entry.file.mode)) return 'same';
    }
    const existing = this.tree.inspect(entry.relative);
    const wantDirectory = isDirectory(entry.file.mode);
    if (existing.kind === 'absent') return wantDirectory ? 'mkdir' : 'place';
    if (wantDirectory !== (existing.kind === 'directory')) {
      const holder = previous ? ` (from ${previous.package})` : '';
      throw rpmError(RpmErrorCode.FILE_CONFLICT, this.packageFile,
        `${path} is a ${fileTypeName(entry.file.mode)} in ${this.nevra}, but the tree has a ${existing.kind}${holder} there`);
    }
    return wantDirectory ? 'directory' : 'place';
  }

  private refuseParent(entry: PlannedEntry, parent: string, kind: string): never {
    throw rpmError(RpmErrorCode.PATH_UNSAFE, this.packageFile, `cannot install ${entry.file.path}: /${parent} is a ${kind} in the tree, not a directory`, {
      hint: kind === 'symlink' ? 'Arbor never follows symlinks while unpacking; ship the path under the symlink\'s target instead' : undefined,
    });
  }

  /**
   * Carries the plan out in path order, so every directory exists before what goes in it:
   * directories are made (or get their metadata), staged files are renamed into place.
   */
  apply(stageDir: string): { placed: number; same: number } {
    let placed = 0;
    let same = 0;
    const implicit = [...this.implicitDirectories].sort();
    let nextImplicit = 0;
    for (const entry of this.entries) {
      for (; nextImplicit < implicit.length && implicit[nextImplicit]! < entry.relative; nextImplicit++) {
        this.makeImplicitDirectory(implicit[nextImplicit]!);
      }
      const target = this.tree.resolve(entry.relative);
      switch (entry.action) {
        case 'ghost':
          break;
        case 'same':
          same++;
          break;
        case 'mkdir':
          fs.mkdirSync(target);
          this.setDirectoryMetadata(entry, target);
          this.tree.created(entry.relative, 'directory');
          placed++;
          break;
        case 'directory':
          this.setDirectoryMetadata(entry, target);
          placed++;
          break;
        case 'place':
          fs.renameSync(`${stageDir}/${entry.file.index}`, target);
          this.tree.created(entry.relative, isSymlink(entry.file.mode) ? 'symlink' : 'file');
          placed++;
          break;
      }
      // A %ghost never replaces what another package really installed at its path.
      if (entry.action === 'ghost' ? !this.state.paths.has(entry.file.path) : entry.action !== 'same') {
        this.state.paths.set(entry.file.path, entry.record);
      }
    }
    // Directory mtimes last: creating their children would have moved them again.
    for (const entry of this.entries) {
      if (entry.action === 'mkdir' || entry.action === 'directory') fs.utimesSync(this.tree.resolve(entry.relative), entry.file.mtime, entry.file.mtime);
    }
    return { placed, same };
  }

  private makeImplicitDirectory(relative: string): void {
    const target = this.tree.resolve(relative);
    fs.mkdirSync(target);
    fs.chmodSync(target, 0o755);
    fs.chownSync(target, 0, 0);
    this.tree.created(relative, 'directory');
  }

  private setDirectoryMetadata(entry: PlannedEntry, target: string): void {
    fs.chownSync(target, entry.owner.uid, entry.owner.gid);
    fs.chmodSync(target, entry.owner.mode & 0o7777);
  }
}

function isDirectory(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}

function isSymlink(mode: number): boolean {
  return (mode & S_IFMT) === 0o120000;
}
