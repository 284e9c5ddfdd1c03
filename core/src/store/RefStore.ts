import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { withFileLock } from '../fs/FileLock';
import { isObjectId, type ObjectId } from './ObjectId';
import { parseRef } from './RefName';

/**
 * Refs as files: `refs/heads/<name>` and `refs/remotes/<remote>/<name>`, each holding a commit
 * ID and a newline, as ostree and git do. Static servers can serve them and clients fetch them
 * by name. Updates write a temp file beside the ref, fsync it and rename it over the ref, so a
 * reader or a crash sees the old ID or the new one, never a torn file.
 *
 * Every update and delete runs under the ref's own lock (flock on `refs/.locks/<sha256 of the
 * ref>`), and an update may name the tip it expects: a compare-and-swap, so two commits to one
 * branch can never both succeed on the same parent and lose one of them (docs/format.md §4).
 */
export interface RefUpdateOptions {
  /**
   * The ID the ref must still hold (null: the ref must not exist yet). When it holds another,
   * the update fails with ARBOR_STORE_REF_MOVED and the ref is left as the other writer set it.
   */
  expected?: ObjectId | null;
}

export class RefStore {
  constructor(private readonly repoPath: string) {}

  read(ref: string): ObjectId | undefined {
    const location = parseRef(ref);
    let text: string;
    try {
      text = fs.readFileSync(path.join(this.repoPath, location.relPath), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw error;
    }
    const id = text.trim();
    if (!isObjectId(id)) {
      throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Ref ${ref} holds "${id.slice(0, 80)}", not a commit ID`, {
        hint: `Point it at a commit again with \`arbor commit\`, or delete it with \`arbor refs --delete ${ref}\``,
      });
    }
    return id;
  }

  set(ref: string, commit: ObjectId, options: RefUpdateOptions = {}): void {
    const location = parseRef(ref);
    withFileLock(this.lockPath(ref), () => {
      if (options.expected !== undefined) {
        const current = this.read(ref) ?? null;
        if (current !== options.expected) throw refMoved(ref, commit, options.expected, current);
      }
      this.write(ref, location.relPath, commit);
    });
  }

  private write(ref: string, relPath: string, commit: ObjectId): void {
    if (!isObjectId(commit)) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Cannot point ${ref} at "${commit}": not a commit ID`);
    const target = path.join(this.repoPath, relPath);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
        throw new ArborError(ErrorCode.STORE_REF_INVALID, `Ref ${ref} cannot exist: a prefix of it is already a ref`);
      }
      throw error;
    }
    if (fs.existsSync(target) && fs.lstatSync(target).isDirectory()) {
      throw new ArborError(ErrorCode.STORE_REF_INVALID, `Ref ${ref} cannot exist: refs live below it`);
    }
    // The temp file sits beside the ref (a dot name is never a valid ref part, so listings skip
    // it): callers may set refs without the repo lock, and prune empties tmp/ under its lock.
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = fs.openSync(temp, 'wx', 0o644);
    try {
      fs.writeSync(fd, `${commit}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
    fsyncDir(path.dirname(target));
  }

  delete(ref: string): void {
    const location = parseRef(ref);
    withFileLock(this.lockPath(ref), () => this.remove(ref, location));
  }

  /** The lock file of one ref: flat and hash-named, so no ref name can collide with its lock or outgrow NAME_MAX. */
  private lockPath(ref: string): string {
    return path.join(this.repoPath, 'refs', '.locks', createHash('sha256').update(ref).digest('hex'));
  }

  private remove(ref: string, location: ReturnType<typeof parseRef>): void {
    const target = path.join(this.repoPath, location.relPath);
    if (this.read(ref) === undefined) {
      throw new ArborError(ErrorCode.STORE_REF_NOT_FOUND, `Ref ${ref} does not exist`, { hint: 'List refs with `arbor refs`' });
    }
    fs.unlinkSync(target);
    // Drop directories the ref leaves empty, up to refs/heads or refs/remotes/<remote>.
    const stop = path.join(this.repoPath, location.remote !== undefined ? 'refs/remotes' : 'refs/heads');
    for (let dir = path.dirname(target); dir.startsWith(`${stop}/`); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
    }
  }

  /** Local refs by name, remote refs as `remote:name`, in sorted order. */
  list(): Record<string, ObjectId> {
    const found: Array<[string, ObjectId]> = [];
    const walk = (dir: string, prefix: string, toRef: (name: string) => string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue; // temp files of updates in progress
        const name = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(path.join(dir, entry.name), name, toRef);
        else if (entry.isFile()) {
          const ref = toRef(name);
          const id = this.read(ref);
          if (id) found.push([ref, id]);
        }
      }
    };
    walk(path.join(this.repoPath, 'refs/heads'), '', (name) => name);
    let remotes: fs.Dirent[] = [];
    try {
      remotes = fs.readdirSync(path.join(this.repoPath, 'refs/remotes'), { withFileTypes: true });
    } catch {
      // no remotes yet
    }
    for (const remote of remotes) {
      if (remote.isDirectory()) walk(path.join(this.repoPath, 'refs/remotes', remote.name), '', (name) => `${remote.name}:${name}`);
    }
    found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return Object.fromEntries(found);
  }
}

function refMoved(ref: string, commit: ObjectId, expected: ObjectId | null, current: ObjectId | null): ArborError {
  const was = expected ? `at ${expected.slice(0, 12)}` : 'absent';
  const now = current ? `now at ${current.slice(0, 12)}` : 'now deleted';
  return new ArborError(ErrorCode.STORE_REF_MOVED, `Ref ${ref} moved while ${commit.slice(0, 12)} was being made: it was ${was}, it is ${now}; ${ref} was left as the other writer set it`, {
    hint: 'Another commit, pull or ref update won the race. Run the command again to build on the new tip',
  });
}

/** Makes a rename in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
