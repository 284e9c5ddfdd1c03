import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyXattrs, isArborError, lstatBeneath, pathBeneath } from '@arbor/core';
import { Parser, type ReadEntry } from 'tar';
import { DecompressStream } from 'zstd-napi';
import { archivePath, assertSymlinkInside } from './ArchivePath';
import { StagingDirectories } from './StagingDirectories';
import { PaxXattrs } from './PaxXattrs';
import { TreeErrorCode, treeError } from './TreeError';

/** zstd frame magic (RFC 8878 §3.1.1); node-tar detects gzip itself but needs Node 22's zlib for zstd. */
const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

interface DirectoryMeta {
  target: string;
  uid: number;
  gid: number;
  mode: number;
  xattrs: Array<[string, Buffer]>;
}

/**
 * Unpacks a tarball (plain, gzip or zstd; ustar, pax and GNU headers, parsed by node-tar in
 * strict mode so a bad checksum or a truncated member is an error, not a warning) into the
 * staging `tree`. Every entry keeps its numeric owner (as `tar --numeric-owner` does: the
 * image's accounts are not this machine's), its mode and its xattrs. Refused, naming the
 * entry: absolute or `..` names, a path through a symlink, a hardlink to a name outside the
 * archive's tree, a relative symlink that climbs above the root, device nodes and fifos, and
 * a member whose data is shorter or longer than its header's size. Returns the entry count.
 */
export async function extractTarball(archive: string, tree: string): Promise<number> {
  const name = path.basename(archive);
  const xattrs = new PaxXattrs();
  const directories: DirectoryMeta[] = [];
  const staging = new StagingDirectories(tree, name);
  /** Files being written; an aborted parse never ends their members, so they are closed here. */
  const open = new Set<number>();
  let entries = 0;
  let failure: unknown;
  const parser = new Parser({ strict: true });
  const fail = (error: unknown) => {
    failure ??= error;
    parser.abort(error instanceof Error ? error : new Error(String(error)));
  };
  parser.on('meta', (body: string) => xattrs.add(body));
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    if (entry.meta) fail(treeError(TreeErrorCode.ARCHIVE_INVALID, name, `an extended header of ${entry.size} bytes is larger than node-tar reads`));
  });
  parser.on('entry', (entry: ReadEntry) => {
    try {
      entries++;
      const relative = archivePath(name, entry.path);
      const meta = { uid: entry.uid ?? 0, gid: entry.gid ?? 0, mode: (entry.mode ?? 0o644) & 0o7777, xattrs: xattrs.take(name, entry.path) };
      if (entry.type === 'Directory') {
        directories.push({ target: staging.directory(relative, entry.path), ...meta });
        entry.resume();
        return;
      }
      if (relative === '') throw treeError(TreeErrorCode.PATH_UNSAFE, name, `entry ${JSON.stringify(entry.path)} names the tree's root but is not a directory`);
      const target = staging.parentsOf(relative, entry.path);
      staging.clear(relative);
      switch (entry.type) {
        case 'File':
        case 'OldFile':
        case 'ContiguousFile':
          writeFile(entry, target, relative, name, meta, fail, open);
          return;
        case 'SymbolicLink':
          assertSymlinkInside(name, relative, entry.linkpath ?? '');
          fs.symlinkSync(entry.linkpath!, target);
          fs.lchownSync(target, meta.uid, meta.gid);
          if (meta.xattrs.length) applyXattrs(target, meta.xattrs, {});
          break;
        case 'Link': {
          const source = archivePathOfLink(name, relative, entry.linkpath ?? '');
          const stat = lstatBeneath(tree, source);
          if (!stat || !(stat.isFile() || stat.isSymbolicLink())) {
            throw treeError(TreeErrorCode.LINK_ESCAPES, name, `hardlink ${relative} -> ${entry.linkpath} names no file earlier in the archive`);
          }
          fs.linkSync(pathBeneath(tree, source), target);
          break;
        }
        case 'CharacterDevice':
        case 'BlockDevice':
        case 'FIFO':
          throw treeError(TreeErrorCode.SPECIAL_FILE, name, `entry ${relative} is a ${entry.type === 'FIFO' ? 'fifo' : 'device node'}, which a tree cannot hold`, {
            hint: 'Leave dev/ empty in the archive; devices come from devtmpfs at boot',
          });
        default:
          throw treeError(TreeErrorCode.ARCHIVE_INVALID, name, `entry ${relative} has type ${entry.type}, which a tree source does not unpack`);
      }
      entry.resume();
    } catch (error) {
      entry.resume();
      fail(error);
    }
  });

  const input = fs.createReadStream(archive);
  const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | Transform> = [input];
  if (await startsWith(archive, ZSTD_MAGIC)) stages.push(new DecompressStream() as unknown as Transform);
  try {
    await pipeline([...stages, parser] as unknown as [Readable, NodeJS.WritableStream]);
  } catch (error) {
    for (const fd of open) fs.closeSync(fd);
    open.clear();
    throw wrapParseError(failure ?? error, name);
  }
  if (failure) throw wrapParseError(failure, name);
  // Deepest first, after every file: a directory's mode applies once nothing more goes in it.
  for (const dir of directories.reverse()) {
    fs.lchownSync(dir.target, dir.uid, dir.gid);
    fs.chmodSync(dir.target, dir.mode);
    applyXattrs(dir.target, dir.xattrs);
  }
  return entries;
}

/** A regular member: content streamed into a new file, then owner, mode and xattrs (chown first: it clears setuid bits and capabilities). */
function writeFile(
  entry: ReadEntry, target: string, relative: string, archive: string,
  meta: { uid: number; gid: number; mode: number; xattrs: Array<[string, Buffer]> }, fail: (error: unknown) => void, open: Set<number>,
): void {
  const fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  open.add(fd);
  let written = 0;
  entry.on('data', (chunk: Buffer) => {
    fs.writeSync(fd, chunk);
    written += chunk.length;
  });
  entry.on('end', () => {
    if (!open.has(fd)) return;
    try {
      if (written !== entry.size) {
        throw treeError(TreeErrorCode.ARCHIVE_INVALID, archive, `entry ${relative} has ${written} bytes of data, its header says ${entry.size}`);
      }
      fs.fchownSync(fd, meta.uid, meta.gid);
      fs.fchmodSync(fd, meta.mode);
      if (meta.xattrs.length) applyXattrs(target, meta.xattrs, {});
    } catch (error) {
      fail(error);
    } finally {
      open.delete(fd);
      fs.closeSync(fd);
    }
  });
}

/** A hardlink's target is another member's name, held to the same rules as member names. */
function archivePathOfLink(archive: string, entry: string, linkpath: string): string {
  try {
    return archivePath(archive, linkpath);
  } catch {
    throw treeError(TreeErrorCode.LINK_ESCAPES, archive, `hardlink ${entry} -> ${linkpath} points outside the tree`);
  }
}

async function startsWith(file: string, magic: Buffer): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(magic.length), 0, magic.length, 0);
    return bytesRead === magic.length && buffer.equals(magic);
  } finally {
    await handle.close();
  }
}

/** node-tar's errors ("TAR_BAD_ARCHIVE: Truncated input ...") become one-line errors naming the archive. */
function wrapParseError(error: unknown, archive: string): Error {
  if (isArborError(error)) return error;
  const message = (error as Error).message ?? String(error);
  return treeError(TreeErrorCode.ARCHIVE_INVALID, archive, `not a readable tarball: ${message.split('\n')[0]}`, { cause: error });
}
