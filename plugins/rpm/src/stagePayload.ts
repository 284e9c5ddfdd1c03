import crypto from 'node:crypto';
import fs from 'node:fs';
import { setXattr } from '@arbor/core';
import { ByteReader } from './ByteReader';
import { CpioReader, type CpioEntry } from './CpioReader';
import { encodeFileCapability, SECURITY_CAPABILITY } from './FileCapability';
import { decompressPayload, detectPayloadEncoding, PAYLOAD_MAGIC_LENGTH } from './PayloadDecompressor';
import { digestMismatch, hashName, PayloadVerifier } from './RpmDigest';
import { RpmErrorCode, rpmError } from './RpmError';
import { isGhost, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type RpmFile, type RpmFileList } from './RpmFileList';
import { Tag } from './RpmTag';
import type { OpenedRpm } from './readRpmHeaders';
import type { StagingTree } from './StagingTree';

/** What may follow the cpio trailer: block padding, never data. */
const TRAILING_BYTES_MAX = 64 * 1024;

/** The owner and mode a file gets, after owner names were looked up in the tree. */
export interface ResolvedOwner {
  uid: number;
  gid: number;
  mode: number;
}

export interface StageRequest {
  rpm: OpenedRpm;
  fileList: RpmFileList;
  owners: ResolvedOwner[];
  /** File N is staged at `relatives[N]` (its tree-relative path) in `staging`. */
  relatives: string[];
  staging: StagingTree;
  packageFile: string;
}

/**
 * Streams the payload once: hashes the compressed bytes for the payload digest, decompresses,
 * walks the cpio archive and writes every regular file and symlink into the staging tree at
 * its own path, with its final owner, mode, mtime and capabilities, checking each file's
 * digest as its bytes pass. Every directory the package lists is made there too. Nothing
 * touches the tree here, so a bad package (any digest, a short file, a cpio entry the header
 * does not list) leaves it as it was.
 */
export async function stagePayload(request: StageRequest): Promise<void> {
  const { rpm, packageFile } = request;
  const verifier = new PayloadVerifier(rpm.signature, rpm.header, packageFile);
  const head = await rpm.reader.peek(PAYLOAD_MAGIC_LENGTH);
  const encoding = detectPayloadEncoding(head, rpm.header.string(Tag.PAYLOADCOMPRESSOR));
  if (!encoding) {
    throw rpmError(RpmErrorCode.UNSUPPORTED, packageFile, `the payload's compression (magic ${head.toString('hex')}) is not one rpm writes`);
  }
  async function* hashed(): AsyncGenerator<Buffer> {
    for await (const chunk of rpm.reader.rest()) {
      verifier.update(chunk);
      yield chunk;
    }
  }
  const payload = decompressPayload(encoding, hashed(), packageFile);
  const cpioFail = (message: string) => rpmError(RpmErrorCode.PAYLOAD_INVALID, packageFile, message);
  const reader = new ByteReader(payload, (what, wanted, got) => cpioFail(`the payload ends inside ${what} (${got} of ${wanted} bytes)`));
  try {
    await unpackArchive(new CpioReader(reader, cpioFail), request);
    // rpm writes nothing after the trailer and GNU cpio pads to a 512-byte block; anything
    // longer is not padding, and is refused before it is decompressed (it could be 10 GiB).
    const trailing = await reader.skipUpTo(TRAILING_BYTES_MAX + 1);
    if (trailing > TRAILING_BYTES_MAX) throw cpioFail(`the payload goes on after the cpio trailer (more than ${TRAILING_BYTES_MAX} bytes)`);
  } catch (error) {
    // A damaged payload usually breaks the decoder or the archive first. Its digest (or the
    // size the signature header records) says what really happened, so that is reported
    // instead; the file is read again for it, since the decoder stopped part way.
    await payload.return(undefined);
    await verifyPayloadOnDisk(request);
    throw error;
  }
  verifier.finish();
}

async function verifyPayloadOnDisk({ rpm, packageFile }: StageRequest): Promise<void> {
  const verifier = new PayloadVerifier(rpm.signature, rpm.header, packageFile);
  for await (const chunk of fs.createReadStream(packageFile, { start: rpm.payloadOffset, highWaterMark: 1 << 20 })) verifier.update(chunk as Buffer);
  verifier.finish();
}

async function unpackArchive(cpio: CpioReader, request: StageRequest): Promise<void> {
  const { fileList, packageFile } = request;
  const files = fileList.files;
  const carriers = contentCarriers(fileList);
  const hashAlgorithm = hashName(fileList.digestAlgorithm, packageFile, 'FILEDIGESTALGO');
  let byName: Map<string, number> | undefined;
  const seen = new Set<number>();
  for (let entry = await cpio.next(); entry; entry = await cpio.next()) {
    if (entry.format === 'newc') byName ??= new Map(files.map((file) => [archiveName(file.path), file.index]));
    const index = entry.format === 'newc' ? byName!.get(archiveName(entry.name)) : entry.fileIndex;
    const file = index === undefined ? undefined : files[index];
    if (!file) throw rpmError(RpmErrorCode.PAYLOAD_INVALID, packageFile, `the payload holds ${describe(entry)}, which the header does not list`);
    if (seen.has(file.index)) throw rpmError(RpmErrorCode.PAYLOAD_INVALID, packageFile, `the payload holds ${file.path} twice`);
    seen.add(file.index);
    const type = file.mode & S_IFMT;
    const hasContent = type === S_IFREG ? carriers.has(file.index) : type === S_IFLNK;
    const size = hasContent ? file.size : 0;
    if (entry.format === 'stripped') cpio.expectData(size);
    else if (entry.size !== size && !isGhost(file)) {
      throw rpmError(RpmErrorCode.PAYLOAD_INVALID, packageFile, `${file.path} has ${entry.size} bytes in the payload, the header says ${size}`);
    }
    // %ghost entries in a payload (rpm < 4.11 wrote some) are skipped, as rpm does.
    if (isGhost(file)) {
      await cpio.skipData();
    } else if (type === S_IFDIR) {
      await cpio.skipData();
      request.staging.directory(request.relatives[file.index]!);
    } else if (type === S_IFLNK) {
      await cpio.skipData();
      stageSymlink(file, request);
    } else if (type === S_IFREG) {
      if (carriers.has(file.index)) await stageRegularFile(file, cpio, hashAlgorithm, request);
    } else {
      await cpio.skipData();
    }
  }
  for (const file of files) {
    if (isGhost(file)) continue;
    // Directories the payload leaves out are made from the header, as old packages need.
    if ((file.mode & S_IFMT) === S_IFDIR) request.staging.directory(request.relatives[file.index]!);
    else if (!seen.has(file.index)) throw rpmError(RpmErrorCode.PAYLOAD_INVALID, request.packageFile, `${file.path} is in the header but missing from the payload`);
  }
  linkHardlinkSets(fileList, request);
}

/** Regular files whose content is in the archive: all but the non-last members of hardlink sets. */
function contentCarriers(fileList: RpmFileList): Set<number> {
  const carriers = new Set(fileList.files.filter((file) => (file.mode & S_IFMT) === S_IFREG && !isGhost(file)).map((file) => file.index));
  for (const set of fileList.hardlinkSets) for (const member of set.slice(0, -1)) carriers.delete(member);
  return carriers;
}

async function stageRegularFile(file: RpmFile, cpio: CpioReader, hashAlgorithm: string, request: StageRequest): Promise<void> {
  const target = request.staging.prepare(request.relatives[file.index]!);
  const owner = request.owners[file.index]!;
  const hash = file.digest ? crypto.createHash(hashAlgorithm) : undefined;
  const permissions = owner.mode & 0o7777;
  const fd = fs.openSync(target, 'wx', permissions);
  try {
    for await (const chunk of cpio.data()) {
      for (let written = 0; written < chunk.length;) written += fs.writeSync(fd, chunk, written);
      hash?.update(chunk);
    }
    // chown clears setuid/setgid bits and file capabilities, so it comes first. A file root
    // creates is already root's, which is what most package files are, and open() already
    // gave it its mode unless the umask took bits away or the mode has special bits.
    if (owner.uid !== processUid || owner.gid !== processGid) fs.fchownSync(fd, owner.uid, owner.gid);
    if (permissions & (0o7000 | processUmask)) fs.fchmodSync(fd, permissions);
    fs.futimesSync(fd, file.mtime, file.mtime);
  } finally {
    fs.closeSync(fd);
  }
  if (hash) {
    const actual = hash.digest('hex');
    if (actual !== file.digest.toLowerCase()) throw digestMismatch(request.packageFile, `file ${file.path} ${hashAlgorithm.toUpperCase()}`, file.digest, actual);
  }
  if (file.caps) setXattr(target, SECURITY_CAPABILITY, capabilityValue(file, request.packageFile));
}

const processUid = process.getuid?.() ?? -1;
const processGid = process.getgid?.() ?? -1;
// Read once: the mask cannot change under us in a way that matters, and reading it is free.
const processUmask = process.umask();

function stageSymlink(file: RpmFile, request: StageRequest): void {
  const target = request.staging.prepare(request.relatives[file.index]!);
  const owner = request.owners[file.index]!;
  fs.symlinkSync(file.linkTo, target);
  fs.lchownSync(target, owner.uid, owner.gid);
  fs.lutimesSync(target, file.mtime, file.mtime);
}

/** Links every member of a hardlink set to the member that carried the content. */
function linkHardlinkSets(fileList: RpmFileList, { staging, relatives }: StageRequest): void {
  for (const set of fileList.hardlinkSets) {
    const carrier = staging.resolve(relatives[set[set.length - 1]!]!);
    for (const member of set.slice(0, -1)) fs.linkSync(carrier, staging.prepare(relatives[member]!));
  }
}

function capabilityValue(file: RpmFile, packageFile: string): Buffer {
  try {
    return encodeFileCapability(file.caps);
  } catch (error) {
    throw rpmError(RpmErrorCode.HEADER_INVALID, packageFile, `${file.path} has capabilities "${file.caps}" that do not parse: ${(error as Error).message}`);
  }
}

/** cpio names are `./usr/bin/x` (binary packages) or `x.spec` (source packages). */
function archiveName(name: string): string {
  if (name.startsWith('./')) return name.slice(2);
  return name.startsWith('/') ? name.slice(1) : name;
}

function describe(entry: CpioEntry): string {
  return entry.format === 'newc' ? `"${entry.name}"` : `file index ${entry.fileIndex}`;
}
