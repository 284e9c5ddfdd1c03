import type { RpmHeader } from '../RpmHeader';
import { RpmTagType, SigTag, Tag } from '../RpmTag';
import { appendToHeader, encode, readHeaderBlob, type AddedEntry } from './HeaderBlob';

/** Main-header tags rpm adds to a package's header before storing it (rpmtag.h). */
export const InstallTag = {
  SIGSIZE: 257,
  SIGPGP: 259,
  SIGMD5: 261,
  SIGGPG: 262,
  DSAHEADER: 267,
  RSAHEADER: 268,
  SHA1HEADER: 269,
  LONGSIGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256HEADER: 273,
  VERITYSIGNATURES: 276,
  VERITYSIGNATUREALGO: 277,
  BUILDTIME: 1006,
  INSTALLTIME: 1008,
  FILESTATES: 1029,
  ARCHIVESIZE: 1046,
  PREFIXES: 1098,
  INSTPREFIXES: 1099,
  INSTALLCOLOR: 1127,
  INSTALLTID: 1128,
  FILESIGNATURES: 5090,
  FILESIGNATURELENGTH: 5091,
} as const;

/**
 * Signature header tags rpm copies into the main header when it reads a package (lib/package.c,
 * headerMergeLegacySigs): signature tag, main-header tag, the type it must have, and the count
 * it must have (0: any).
 */
const SIGNATURE_TAGS: readonly [number, number, number, number][] = [
  [SigTag.SIZE, InstallTag.SIGSIZE, RpmTagType.INT32, 1],
  [1002, InstallTag.SIGPGP, RpmTagType.BIN, 0],
  [SigTag.MD5, InstallTag.SIGMD5, RpmTagType.BIN, 16],
  [1005, InstallTag.SIGGPG, RpmTagType.BIN, 0],
  [SigTag.PAYLOADSIZE, InstallTag.ARCHIVESIZE, RpmTagType.INT32, 1],
  [274, InstallTag.FILESIGNATURES, RpmTagType.STRING_ARRAY, 0],
  [275, InstallTag.FILESIGNATURELENGTH, RpmTagType.INT32, 1],
  [276, InstallTag.VERITYSIGNATURES, RpmTagType.STRING_ARRAY, 0],
  [277, InstallTag.VERITYSIGNATUREALGO, RpmTagType.INT32, 1],
  [SigTag.SHA1, InstallTag.SHA1HEADER, RpmTagType.STRING, 1],
  [SigTag.SHA256, InstallTag.SHA256HEADER, RpmTagType.STRING, 1],
  [267, InstallTag.DSAHEADER, RpmTagType.BIN, 0],
  [268, InstallTag.RSAHEADER, RpmTagType.BIN, 0],
  [SigTag.LONGSIZE, InstallTag.LONGSIGSIZE, RpmTagType.INT64, 1],
  [SigTag.LONGARCHIVESIZE, InstallTag.LONGARCHIVESIZE, RpmTagType.INT64, 1],
];

/** rpm's file states (rpmfiles.h, rpmfileState): what the transaction did with each file. */
export const FileState = { NORMAL: 0, REPLACED: 1, NOTINSTALLED: 2, NETSHARED: 3, WRONGCOLOR: 4 } as const;

/** What the install transaction records about one package. */
export interface InstallRecord {
  /** RPMTAG_INSTALLTID: one transaction ID for every package of a transaction. */
  tid: number;
  /** RPMTAG_INSTALLTIME, seconds since the epoch. */
  installTime: number;
  /** RPMTAG_INSTALLCOLOR: the transaction color (%_transaction_color). */
  color: number;
  /** One FileState per file of the header's file list; all NORMAL when omitted. */
  fileStates?: readonly number[];
}

/** A package header as an rpmdb stores it, with the values its index tables are built from. */
export interface InstalledHeader {
  blob: Buffer;
  added: Map<number, AddedEntry>;
}

/**
 * Builds the blob rpm would store for `header` (read from a package with `signature`) when a
 * transaction installs it: what rpm's package reader merges in from the signature header, the
 * retrofits it applies, INSTPREFIXES of a relocatable package (installed unrelocated), then
 * what the transaction adds in lib/psm.c's dbAdd: FILESTATES, INSTALLTID, INSTALLTIME and
 * INSTALLCOLOR. Tags the main header already has are never added twice.
 */
export function installedHeader(header: RpmHeader, signature: RpmHeader, record: InstallRecord, fail: (message: string) => Error): InstalledHeader {
  const added = new Map<number, AddedEntry>();
  const add = (entry: AddedEntry) => {
    if (!header.has(entry.tag) && !added.has(entry.tag)) added.set(entry.tag, entry);
  };
  const signatureEntries = readHeaderBlob(signature.bytes.subarray(8), fail);
  for (const [sigTag, tag, type, count] of SIGNATURE_TAGS) {
    const entry = signatureEntries.get(sigTag);
    // rpm refuses a package whose signature entry has another type or count; Arbor's reader
    // has accepted it already, so such an entry is left out rather than stored malformed.
    if (!entry || entry.type !== type || (count && entry.count !== count)) continue;
    add(encode.raw(tag, type, entry.count, entry.data));
  }
  if (!header.has(Tag.SOURCERPM) && !header.has(Tag.SOURCEPACKAGE)) add(encode.string(Tag.SOURCERPM, '(none)'));
  const prefixes = header.strings(InstallTag.PREFIXES);
  if (prefixes?.length) add(encode.stringArray(InstallTag.INSTPREFIXES, prefixes));

  const fileCount = header.strings(Tag.BASENAMES)?.length ?? 0;
  if (fileCount > 0) {
    const states = record.fileStates ?? new Array<number>(fileCount).fill(FileState.NORMAL);
    if (states.length !== fileCount) throw fail(`has ${fileCount} files but ${states.length} file states were given`);
    add(encode.chars(InstallTag.FILESTATES, states));
  }
  add(encode.uint32(InstallTag.INSTALLTID, [record.tid]));
  add(encode.uint32(InstallTag.INSTALLTIME, [record.installTime]));
  add(encode.uint32(InstallTag.INSTALLCOLOR, [record.color]));
  return { blob: appendToHeader(header.bytes, [...added.values()], fail), added };
}

/**
 * rpm's %_transaction_color for an architecture (installplatform's CANONCOLOR): 3 where
 * 32- and 64-bit packages may be installed side by side, 2 on ia64, 0 elsewhere.
 */
export function transactionColor(arch: string): number {
  if (arch === 'ia64') return 2;
  const multilib = /^(x86_64|amd64|ia32e|aarch64|ppc64|ppc64p7|ppc64le|s390x|sparc64.*|mips64.*|riscv64|loongarch64)$/;
  return multilib.test(arch) ? 3 : 0;
}

/** Whether rpm on `arch` stores integers in native order big-endian (index keys use it). */
export function isBigEndianArch(arch: string): boolean {
  return /^(s390x?|ppc|ppc64|ppc64p7|sparc.*|m68k|mips|mips64|mipsr6|mips64r6)$/.test(arch);
}
