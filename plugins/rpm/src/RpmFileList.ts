import type { RpmHeader } from './RpmHeader';
import { RpmFileFlag, Tag, type RpmFileFlagName } from './RpmTag';

/**
 * One entry of a package's file list, from the main header's parallel file arrays. rpm takes
 * every attribute from here, never from the cpio archive, which only carries content.
 */
export interface RpmFile {
  /** Position in the header's file arrays; stripped cpio entries refer to it. */
  index: number;
  /** As rpm prints it: `/usr/bin/hello`, or a bare name in a source package. */
  path: string;
  /** Full st_mode: file type bits and permissions. */
  mode: number;
  /** FILESIZES or LONGFILESIZES; for a symlink the target's length. */
  size: number;
  user: string;
  group: string;
  /** FILEFLAGS bits (RpmFileFlag). */
  flags: number;
  /** The symlink target; empty for anything else. */
  linkTo: string;
  /** Hex digest of a regular file's content in the package's FILEDIGESTALGO; empty if none. */
  digest: string;
  /** The capability text rpm stores (`cap_net_raw=ep`); empty if none. */
  caps: string;
  mtime: number;
  rdev: number;
  /** Hardlink identity: files with equal (device, inode) share content. */
  device: number;
  inode: number;
  lang: string;
}

export interface RpmFileList {
  files: RpmFile[];
  /** FILEDIGESTALGO, defaulting to MD5 (1) as rpm does for packages that predate the tag. */
  digestAlgorithm: number;
  /** Hardlink sets of two or more, in header order; the last member carries the content. */
  hardlinkSets: number[][];
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;

/** Builds the file list, checking that every parallel array has one value per file. */
export function readFileList(header: RpmHeader, fail: (message: string) => Error): RpmFileList {
  const paths = filePaths(header, fail);
  const count = paths.length;
  const numbers = (tag: number, name: string, fallback?: number): number[] => {
    const values = header.numbers(tag);
    if (values === undefined) {
      if (fallback === undefined && count > 0) throw fail(`the header lists ${count} files but has no ${name}`);
      return new Array<number>(count).fill(fallback ?? 0);
    }
    if (values.length !== count) throw fail(`the header lists ${count} files but ${values.length} ${name}`);
    return values;
  };
  const strings = (tag: number, name: string, fallback?: string): string[] => {
    const values = header.strings(tag);
    if (values === undefined) {
      if (fallback === undefined && count > 0) throw fail(`the header lists ${count} files but has no ${name}`);
      return new Array<string>(count).fill(fallback ?? '');
    }
    if (values.length !== count) throw fail(`the header lists ${count} files but ${values.length} ${name}`);
    return values;
  };
  const sizes = header.has(Tag.LONGFILESIZES) ? numbers(Tag.LONGFILESIZES, 'LONGFILESIZES') : numbers(Tag.FILESIZES, 'FILESIZES');
  const modes = numbers(Tag.FILEMODES, 'FILEMODES');
  const users = strings(Tag.FILEUSERNAME, 'FILEUSERNAME', 'root');
  const groups = strings(Tag.FILEGROUPNAME, 'FILEGROUPNAME', 'root');
  const flags = numbers(Tag.FILEFLAGS, 'FILEFLAGS', 0);
  const links = strings(Tag.FILELINKTOS, 'FILELINKTOS', '');
  const digests = strings(Tag.FILEDIGESTS, 'FILEDIGESTS', '');
  const caps = strings(Tag.FILECAPS, 'FILECAPS', '');
  const mtimes = numbers(Tag.FILEMTIMES, 'FILEMTIMES', 0);
  const rdevs = numbers(Tag.FILERDEVS, 'FILERDEVS', 0);
  const devices = numbers(Tag.FILEDEVICES, 'FILEDEVICES', 0);
  const inodes = numbers(Tag.FILEINODES, 'FILEINODES', 0);
  const langs = strings(Tag.FILELANGS, 'FILELANGS', '');
  const files: RpmFile[] = paths.map((path, index) => ({
    index,
    path,
    mode: modes[index]!,
    size: sizes[index]!,
    user: users[index]!,
    group: groups[index]!,
    flags: flags[index]!,
    linkTo: links[index]!,
    digest: digests[index]!,
    caps: caps[index]!,
    mtime: mtimes[index]!,
    rdev: rdevs[index]!,
    device: devices[index]!,
    inode: inodes[index]!,
    lang: langs[index]!,
  }));
  return { files, digestAlgorithm: header.number(Tag.FILEDIGESTALGO) ?? 1, hardlinkSets: hardlinkSets(files) };
}

/** rpm and the kernel refuse longer paths (PATH_MAX, counting the NUL). */
export const RPM_PATH_MAX = 4095;
/** The most files one package may list; ~2x the largest real packages, far below a heap's worth. */
export const RPM_FILES_MAX = 1 << 19;
/**
 * DIRNAMES are shared: 20,000 files may name one 1 MiB directory and a 1.3 MB header would make
 * 20 GB of paths. The joined paths may take at most this many times the header's own size.
 */
const PATH_BYTES_PER_HEADER_BYTE = 16;

/** BASENAMES + DIRNAMES[DIRINDEXES] (rpm >= 4), or OLDFILENAMES (rpm 3). */
function filePaths(header: RpmHeader, fail: (message: string) => Error): string[] {
  const files = header.count(Tag.BASENAMES) ?? header.count(Tag.OLDFILENAMES) ?? 0;
  if (files > RPM_FILES_MAX) throw fail(`the header lists ${files} files, more than the ${RPM_FILES_MAX} a package may have`);
  const basenames = header.strings(Tag.BASENAMES);
  if (basenames === undefined) return checkedPaths(header.strings(Tag.OLDFILENAMES) ?? [], header, fail);
  const dirnames = header.strings(Tag.DIRNAMES) ?? [];
  const dirIndexes = header.numbers(Tag.DIRINDEXES) ?? [];
  if (dirIndexes.length !== basenames.length) throw fail(`the header has ${basenames.length} BASENAMES but ${dirIndexes.length} DIRINDEXES`);
  // Lengths first: no joined path is made before they all pass.
  let total = 0;
  for (let i = 0; i < basenames.length; i++) {
    const dir = dirnames[dirIndexes[i]!];
    if (dir === undefined) throw fail(`file ${i} (${basenames[i]}) has DIRINDEXES ${dirIndexes[i]} but there are ${dirnames.length} DIRNAMES`);
    const length = dir.length + basenames[i]!.length;
    if (length > RPM_PATH_MAX) throw fail(`file ${i} (${basenames[i]!.slice(0, 64)}) has a path of ${length} bytes, more than PATH_MAX (${RPM_PATH_MAX})`);
    total += length;
  }
  checkTotal(total, header, fail);
  return basenames.map((base, i) => dirnames[dirIndexes[i]!] + base);
}

function checkedPaths(paths: string[], header: RpmHeader, fail: (message: string) => Error): string[] {
  let total = 0;
  for (const [i, path] of paths.entries()) {
    if (path.length > RPM_PATH_MAX) throw fail(`file ${i} has a path of ${path.length} bytes, more than PATH_MAX (${RPM_PATH_MAX})`);
    total += path.length;
  }
  checkTotal(total, header, fail);
  return paths;
}

function checkTotal(total: number, header: RpmHeader, fail: (message: string) => Error): void {
  const limit = PATH_BYTES_PER_HEADER_BYTE * header.bytes.length + (1 << 20);
  if (total > limit) throw fail(`the file paths add up to ${total} bytes from a ${header.bytes.length}-byte header (at most ${limit}): its DIRNAMES are shared past reason`);
}

/**
 * Groups regular, non-ghost files by (device, inode), as rpm's rpmfi does; only sets of two
 * or more are hardlinks. rpm writes the content once, with the set's last member.
 */
function hardlinkSets(files: RpmFile[]): number[][] {
  const byIdentity = new Map<string, number[]>();
  for (const file of files) {
    if ((file.mode & S_IFMT) !== S_IFREG || file.flags & RpmFileFlag.ghost || file.inode <= 0) continue;
    const key = `${file.device}:${file.inode}`;
    const set = byIdentity.get(key);
    if (set) set.push(file.index);
    else byIdentity.set(key, [file.index]);
  }
  return [...byIdentity.values()].filter((set) => set.length > 1);
}

/** FILEFLAGS as the names `arbor rpm info` prints, in bit order. */
export function fileFlagNames(flags: number): RpmFileFlagName[] {
  return (Object.keys(RpmFileFlag) as RpmFileFlagName[]).filter((name) => flags & RpmFileFlag[name]);
}

export function isGhost(file: RpmFile): boolean {
  return (file.flags & RpmFileFlag.ghost) !== 0;
}

/** The file type bits as a word for messages. */
export function fileTypeName(mode: number): string {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'directory';
    case S_IFREG: return 'regular file';
    case S_IFLNK: return 'symlink';
    case 0o020000: return 'character device';
    case 0o060000: return 'block device';
    case 0o010000: return 'fifo';
    case 0o140000: return 'socket';
    default: return `file of type ${(mode & S_IFMT).toString(8)}`;
  }
}
