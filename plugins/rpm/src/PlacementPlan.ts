import fs from 'node:fs';
import { parentsOf, type InstallTree } from './InstallTree';
import { RpmErrorCode, rpmError } from './RpmError';
import { fileTypeName, S_IFDIR, S_IFMT, type RpmFile } from './RpmFileList';
import { conflictBetween, type InstalledPath, type RpmInstallState } from './RpmInstallState';
import type { StagingTree } from './StagingTree';
import type { ResolvedOwner } from './stagePayload';

/** One package entry and what installing it does to the tree. */
export interface PlannedEntry {
  file: RpmFile;
  /** Relative to the tree root; '' for `/`. */
  relative: string;
  owner: ResolvedOwner;
  record: InstalledPath;
  /**
   * new: not in the tree yet; it arrives with the rename of itself or of the new directory
   * above it. directory: a directory the tree has, whose metadata is set. replace: a file
   * renamed over the non-directory the tree has there. same: identical to what an earlier
   * package installed, left as it is (rpm skips it too). ghost: recorded, never created.
   */
  action: 'new' | 'directory' | 'replace' | 'same' | 'ghost';
}

/** A step of the placement, in path order: a package entry, or a parent no package lists. */
interface Step {
  relative: string;
  entry?: PlannedEntry;
  /** Moved from staging by one rename: the topmost new path of its subtree. */
  moves: boolean;
}

/** Parent directories no package lists: rpm makes them 0755 root:root. */
const IMPLICIT_DIRECTORY: ResolvedOwner = { uid: 0, gid: 0, mode: S_IFDIR | 0o755 };

/**
 * Decides, before anything is written, what each entry of a package will do to the tree, and
 * fails if any entry cannot be installed: a path that goes through a symlink or a file in the
 * tree, a directory where the tree has a non-directory or the other way round, or a path an
 * earlier package shipped differently (rpm's file conflict). Because every check happens
 * here, applying the plan can only fail on I/O errors.
 */
export class PlacementPlan {
  readonly entries: PlannedEntry[] = [];
  private steps: Step[] = [];

  constructor(
    private readonly tree: InstallTree,
    private readonly state: RpmInstallState,
    private readonly nevra: string,
    private readonly packageFile: string,
  ) {}

  /** Adds an entry; decide() chooses its action, except for a %ghost, which is only recorded. */
  add(file: RpmFile, relative: string, owner: ResolvedOwner, record: InstalledPath): void {
    this.entries.push({ file, relative, owner, record, action: record.ghost ? 'ghost' : 'new' });
  }

  /** Checks every entry against the tree and the install state, and orders the placement. */
  decide(): void {
    const listed = new Map(this.entries.filter((e) => !e.record.ghost).map((e) => [e.relative, e]));
    const implicit = new Set<string>();
    for (const entry of listed.values()) {
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
    const steps: Step[] = [...listed.values()].map((entry) => ({ relative: entry.relative, entry, moves: false }));
    for (const relative of implicit) steps.push({ relative, moves: false });
    steps.sort((a, b) => (a.relative < b.relative ? -1 : a.relative > b.relative ? 1 : 0));
    // Parents sort before their children, so the first new path met opens a subtree that one
    // rename brings over whole; everything below it rides along.
    let subtree: string | undefined;
    for (const step of steps) {
      if (subtree !== undefined && step.relative.startsWith(`${subtree}/`)) continue;
      subtree = undefined;
      if (!step.entry || step.entry.action === 'new') {
        step.moves = true;
        subtree = step.relative;
      }
    }
    this.steps = steps;
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
    if (existing.kind === 'absent') return 'new';
    if (wantDirectory !== (existing.kind === 'directory')) {
      const holder = previous ? ` (from ${previous.package})` : '';
      throw rpmError(RpmErrorCode.FILE_CONFLICT, this.packageFile,
        `${path} is a ${fileTypeName(entry.file.mode)} in ${this.nevra}, but the tree has a ${existing.kind}${holder} there`);
    }
    return wantDirectory ? 'directory' : 'replace';
  }

  private refuseParent(entry: PlannedEntry, parent: string, kind: string): never {
    throw rpmError(RpmErrorCode.PATH_UNSAFE, this.packageFile, `cannot install ${entry.file.path}: /${parent} is a ${kind} in the tree, not a directory`, {
      hint: kind === 'symlink' ? 'Arbor never follows symlinks while unpacking; ship the path under the symlink\'s target instead' : undefined,
    });
  }

  /**
   * Carries the plan out in path order: each new subtree is renamed in from staging, files
   * for existing directories are renamed one by one, and every directory the package lists
   * (or that its files need) gets its owner and mode; their mtimes last, since placing their
   * children moves them.
   */
  apply(staging: StagingTree): { placed: number; same: number } {
    let placed = 0;
    for (const step of this.steps) {
      const target = this.tree.resolve(step.relative);
      if (step.moves) fs.renameSync(staging.resolve(step.relative), target);
      const entry = step.entry;
      const directory = !entry || isDirectory(entry.file.mode);
      if (directory) setDirectoryMetadata(target, entry?.owner ?? IMPLICIT_DIRECTORY);
      else if (entry.action === 'replace') fs.renameSync(staging.resolve(step.relative), target);
      if (entry && entry.action !== 'same') placed++;
    }
    for (const step of this.steps) {
      if (step.entry && isDirectory(step.entry.file.mode)) fs.utimesSync(this.tree.resolve(step.relative), step.entry.file.mtime, step.entry.file.mtime);
    }
    let same = 0;
    for (const entry of this.entries) {
      if (entry.action === 'same') same++;
      // A %ghost never replaces what another package really installed at its path.
      else if (entry.action !== 'ghost' || !this.state.paths.has(entry.file.path)) this.state.paths.set(entry.file.path, entry.record);
    }
    return { placed, same };
  }
}

function setDirectoryMetadata(target: string, owner: ResolvedOwner): void {
  fs.chownSync(target, owner.uid, owner.gid);
  fs.chmodSync(target, owner.mode & 0o7777);
}

function isDirectory(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
