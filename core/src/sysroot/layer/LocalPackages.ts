import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';
import { assertRealDirectory } from '../../fs/SafePath';
import { blake3Backend } from '../../store/Blake3';
import type { LayerRequests } from '../../hooks';
import type { Sysroot } from '../Sysroot';
import { writeFileAtomic } from '../writeFileAtomic';

/** Where the origin says local package files live: beneath the sysroot, named by content. */
export const PACKAGES_DIR = '/arbor/packages';
const STORED_NAME = /^\/arbor\/packages\/([0-9a-f]{64})\.rpm$/;
const CHUNK = 1 << 20;

/**
 * Local package files (`arbor install FILE.rpm`, `override replace FILE.rpm`) are copied into
 * `SYSROOT/arbor/packages/<blake3>.rpm`, so the request keeps working after the admin deletes
 * the download, every upgrade layers the same bytes, and the same file given twice is one
 * request. The origin records the path as seen from the running system (`/arbor/packages/...`).
 */
export class LocalPackages {
  constructor(private readonly sysroot: Sysroot) {}

  /** The content ID of a package file: BLAKE3-256 of its bytes, as store objects are named. */
  static idOf(file: string): string {
    const hasher = blake3Backend().create();
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (error) {
      throw unreadable(file, error);
    }
    try {
      if (!fs.fstatSync(fd).isFile()) throw unreadable(file, new Error('not a regular file'));
      const chunk = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const read = fs.readSync(fd, chunk, 0, CHUNK, null);
        if (read === 0) break;
        hasher.update(read === CHUNK ? chunk : chunk.subarray(0, read));
      }
    } finally {
      fs.closeSync(fd);
    }
    return hasher.digest().toString('hex');
  }

  /** The path an origin records for content `id`. */
  static recordedPath(id: string): string {
    return `${PACKAGES_DIR}/${id}.rpm`;
  }

  /** Whether `recorded` is a path this class writes (`/arbor/packages/<id>.rpm`). */
  static isRecordedPath(recorded: string): boolean {
    return STORED_NAME.test(recorded);
  }

  /** Where a recorded path is on this machine (the sysroot may be mounted anywhere). */
  resolve(recorded: string): string {
    if (!STORED_NAME.test(recorded)) {
      throw new ArborError(ErrorCode.LAYER_REQUEST_INVALID, `Local package ${recorded} in the origin is not a path under ${PACKAGES_DIR}`, {
        hint: 'Origins record local packages as /arbor/packages/<blake3>.rpm; run arbor uninstall on it and install the file again',
      });
    }
    const file = path.join(this.sysroot.path, recorded);
    if (!fs.lstatSync(file, { throwIfNoEntry: false })?.isFile()) {
      throw new ArborError(ErrorCode.LAYER_PACKAGE_UNREADABLE, `Local package ${file} requested by the origin is missing`, {
        hint: 'Install the package file again (arbor install FILE.rpm), or drop the request with arbor uninstall',
      });
    }
    return file;
  }

  /** The requests with local paths resolved for this machine, as the `layer` hook receives them. */
  resolveAll(requests: LayerRequests): LayerRequests {
    return {
      ...requests,
      localPackages: requests.localPackages.map((recorded) => this.resolve(recorded)),
      replacements: requests.replacements.map((recorded) => this.resolve(recorded)),
    };
  }

  /**
   * Copies `file` in (atomically: temp + rename) unless the same content is already kept;
   * returns the recorded path and whether the file is new (a failed command removes new ones).
   */
  keep(file: string): { recorded: string; added: boolean } {
    let bytes: Buffer;
    try {
      if (!fs.statSync(file).isFile()) throw new Error('not a regular file');
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw unreadable(file, error);
    }
    // The name is the hash of the very bytes written, so it cannot lie about them.
    const id = blake3Backend().hash(bytes).toString('hex');
    const recorded = LocalPackages.recordedPath(id);
    const dir = path.join(this.sysroot.arborDir, 'packages');
    assertRealDirectory(dir, 'The local package directory', true);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const target = path.join(this.sysroot.path, recorded);
    if (fs.lstatSync(target, { throwIfNoEntry: false })?.isFile() && LocalPackages.idOf(target) === id) return { recorded, added: false };
    writeFileAtomic(target, bytes, 0o644);
    return { recorded, added: true };
  }

  /** Deletes kept files that no origin requests any more; returns the paths deleted. */
  removeUnused(inUse: ReadonlySet<string>): string[] {
    const dir = path.join(this.sysroot.arborDir, 'packages');
    if (!fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
    const removed: string[] = [];
    for (const name of fs.readdirSync(dir)) {
      if (inUse.has(`${PACKAGES_DIR}/${name}`)) continue;
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(path.join(dir, name));
    }
    return removed;
  }
}

function unreadable(file: string, error: unknown): ArborError {
  return new ArborError(ErrorCode.LAYER_PACKAGE_UNREADABLE, `Cannot read package file ${file}: ${(error as Error).message}`, {
    hint: 'Give the path of a readable .rpm file',
  });
}
