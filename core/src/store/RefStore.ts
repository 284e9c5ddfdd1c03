import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isObjectId, type ObjectId } from './ObjectId';
import { parseRef } from './RefName';

/**
 * Refs as files: `refs/heads/<name>` and `refs/remotes/<remote>/<name>`, each holding a commit
 * ID and a newline, as ostree and git do. Static servers can serve them and clients fetch them
 * by name. Updates write a temp file beside the ref, fsync it and rename it over the ref, so a
 * reader or a crash sees the old ID or the new one, never a torn file.
 */
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

  set(ref: string, commit: ObjectId): void {
    const location = parseRef(ref);
    if (!isObjectId(commit)) throw new ArborError(ErrorCode.STORE_OBJECT_CORRUPT, `Cannot point ${ref} at "${commit}": not a commit ID`);
    const target = path.join(this.repoPath, location.relPath);
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

/** Makes a rename in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
