import { processAlive } from '../fs/processAlive';
import fs from 'node:fs';
import path from 'node:path';
import { FsBatch } from '../fs/FsBatch';
import { spreadSubdirectories } from '../fs/spreadSubdirectories';
import { syncFilesystem } from '../fs/syncFilesystem';
import { bytePathFromOs } from '../store/BytePath';
import { S_IFREG } from '../store/FileHeader';
import { blake3 } from '../store/Blake3';
import type { ObjectId, ObjectKindName } from '../store/ObjectId';
import { moveStagedObjectsAsync } from '../store/ObjectStaging';
import type { Repo } from '../store/Repo';

/**
 * Where one pull keeps what it fetched until the whole commit is there: `tmp/pull-<boot>-<commit>/`,
 * each object as `<id>.<kind>`, written under a temp name and renamed, so a name only ever
 * holds a complete, verified object. Nothing reaches objects/ before the end, so an interrupted
 * pull leaves the repo exactly as valid as before (fsck passes), and a dirtree in objects/
 * still means its whole subtree is there.
 *
 * A re-run of the same pull finds the directory and skips what it holds: that is resuming. The
 * name carries the boot ID, as ostree's staging directories do: files not yet synced when the
 * machine lost power may be garbage after reboot, so a later boot never trusts them.
 */
export class PullStaging {
  private readonly names: Set<string>;
  private readonly pendingWrites: Promise<void>[] = [];

  private constructor(readonly repo: Repo, readonly dir: string) {
    this.names = new Set(fs.readdirSync(this.dir).filter((name) => !name.includes('.tmp')));
    removeDeadTemps(this.dir);
  }

  /**
   * What killed pulls left behind: staging directories of earlier boots (never trusted, see
   * above) go whole, and in the others every temp file whose writer is dead, however large a
   * body it was receiving. Complete objects stay, for a resumed pull of their commit.
   */
  static removeAbandoned(repo: Repo): void {
    let names: string[];
    try {
      names = fs.readdirSync(repo.tmpPath);
    } catch {
      return;
    }
    const current = `pull-${bootId()}-`;
    for (const name of names) {
      if (!name.startsWith('pull-')) continue;
      const dir = path.join(repo.tmpPath, name);
      if (!name.startsWith(current)) fs.rmSync(dir, { recursive: true, force: true });
      else if (/^pull-[0-9a-z]+-[0-9a-f]{64}$/.test(name)) removeDeadTemps(dir);
    }
  }

  static open(repo: Repo, commit: ObjectId): PullStaging {
    const dir = path.join(repo.tmpPath, `pull-${bootId()}-${commit}`);
    if (!fs.existsSync(dir)) createUnderRandomName(repo.tmpPath, dir);
    return new PullStaging(repo, dir);
  }

  get count(): number {
    return this.names.size;
  }

  // Plain concatenation: `dir` is already absolute and normal, and path.join costs ~5 µs a call.
  stagedPath(id: ObjectId, kind: ObjectKindName): string {
    return `${this.dir}/${id}.${kind}`;
  }

  /** A temp path beside the staged one; rename it to `stagedPath` once complete. */
  tempPath(id: ObjectId, kind: ObjectKindName): string {
    return `${this.dir}/${id}.${kind}.tmp${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  }

  has(id: ObjectId, kind: ObjectKindName): boolean {
    return this.names.has(`${id}.${kind}`);
  }

  /** Records an object a worker staged (it renamed the temp file into place). */
  added(id: ObjectId, kind: ObjectKindName): void {
    this.names.add(`${id}.${kind}`);
  }

  /** A staged metadata object's bytes, re-hashed; a damaged one is dropped and refetched. */
  readMetadata(id: ObjectId, kind: 'dirtree' | 'dirmeta' | 'commit'): Buffer | undefined {
    if (!this.has(id, kind)) return undefined;
    const bytes = fs.readFileSync(this.stagedPath(id, kind));
    if (blake3(bytes).toString('hex') === id) return bytes;
    fs.rmSync(this.stagedPath(id, kind), { force: true });
    this.names.delete(`${id}.${kind}`);
    return undefined;
  }

  write(id: ObjectId, kind: ObjectKindName, bytes: Buffer): void {
    const temp = this.tempPath(id, kind);
    fs.writeFileSync(temp, bytes, { flag: 'wx', mode: 0o644 });
    fs.renameSync(temp, this.stagedPath(id, kind));
    this.added(id, kind);
  }

  /**
   * The same, off the main thread: the dirtree walk stages hundreds of objects, and creating a
   * file costs up to a millisecond here, time the walk would otherwise not spend on the network.
   * One native operation on a libuv pool thread writes and names it; should that fail, the
   * synchronous write runs and gives the failure its usual error. `flush` waits for every write
   * started this way.
   */
  writeInBackground(id: ObjectId, kind: ObjectKindName, bytes: Buffer): void {
    const temp = this.tempPath(id, kind);
    const dest = this.stagedPath(id, kind);
    const batch = FsBatch.ofObject({ temp: bytePathFromOs(temp), dest: bytePathFromOs(dest), content: bytes, uid: -1, gid: -1, mode: S_IFREG | 0o644 });
    const write = batch.runAsync().then((failures) => {
      if (failures.length > 0) this.write(id, kind, bytes);
      else this.added(id, kind);
    });
    // Failures surface in flush(); until then the promise must not count as unhandled.
    write.catch(() => undefined);
    this.pendingWrites.push(write);
  }

  /** Waits for the background writes; the first failure is thrown. */
  async flush(): Promise<void> {
    const writes = this.pendingWrites.splice(0);
    await Promise.all(writes);
  }

  /**
   * Makes everything durable with one syncfs (as the store's own staging and ostree's
   * transactions do), moves it into objects/ children first, and syncs again so the renames are
   * on disk before the caller moves a ref. `commitsig` replaces an
   * older signature set; every other kind is content-addressed, so an existing copy is kept.
   */
  async publish(): Promise<number> {
    const names = [...this.names];
    await moveStagedObjectsAsync(this.repo, this.dir, names);
    fs.rmSync(this.dir, { recursive: true, force: true });
    syncFilesystem(this.repo.path);
    return names.length;
  }
}

/**
 * Makes `dir` by renaming a directory made under a random name. ext4 picks the block group of a
 * directory in a top directory (spreadSubdirectories) from a hash of its name; the fixed name a
 * resumable pull needs would land every pull of a commit in the same group, where the objects
 * of the last one may have just been deleted.
 */
function createUnderRandomName(parent: string, dir: string): void {
  fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
  spreadSubdirectories(parent);
  const temp = `${dir}.new${process.pid}${Math.random().toString(36).slice(2, 8)}`;
  fs.mkdirSync(temp, { mode: 0o755 });
  try {
    fs.renameSync(temp, dir);
  } catch (error) {
    // Another pull of the same commit made it first: use theirs.
    fs.rmdirSync(temp);
    if (!fs.existsSync(dir)) throw error;
  }
}

/** Temp files (`<name>.tmp<pid>-<random>[.body|.content]`) whose writing process no longer runs. */
function removeDeadTemps(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const writer = /\.tmp(\d+)-/.exec(name);
    // Names without a pid come from older versions: incomplete by construction, so dropped too.
    if (writer ? !processAlive(Number(writer[1])) : name.includes('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
  }
}

let cachedBootId: string | undefined;

function bootId(): string {
  if (!cachedBootId) {
    try {
      cachedBootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 16);
    } catch {
      cachedBootId = 'noboot';
    }
  }
  return cachedBootId;
}

