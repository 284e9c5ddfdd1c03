import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const SECTOR = 512;
const MiB = 1024 * 1024;
/** Partitions start on 1 MiB boundaries, as sfdisk and sgdisk place them. */
const ALIGN_SECTORS = MiB / SECTOR;
const ENTRY_COUNT = 128;
const ENTRY_SIZE = 128;
const ENTRY_SECTORS = (ENTRY_COUNT * ENTRY_SIZE) / SECTOR;
const ZERO_CHUNK = Buffer.alloc(4 * MiB);

/** GPT partition type GUIDs (UEFI spec 2.10 §5.3.3; the Discoverable Partitions Specification). */
export const PartitionType = {
  esp: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
  xbootldr: 'bc13c2ff-59e6-4262-a352-b275fd6f7172',
  rootX86_64: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
  linux: '0fc63daf-8483-4772-8e79-3d69d8477de4',
} as const;

export interface GptPartitionSpec {
  /** A filesystem image (from makeFatImage/makeExt4Image) copied into the partition. */
  image: string;
  type: string;
  name: string;
  /** The partition's unique GUID (PARTUUID); random when not given. */
  uuid?: string;
}

export interface GptPartition extends Required<GptPartitionSpec> {
  /** Byte offset in the disk: mtools reaches the filesystem as `DISK@@OFFSET`. */
  offset: number;
  size: number;
}

export interface GptDisk {
  file: string;
  partitions: GptPartition[];
}

/** mtools' environment: no prompts, no ~/.mtoolsrc surprises, and no geometry check on a plain image. */
export const MTOOLS_ENV = { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLSRC: '/dev/null' };

/**
 * A FAT32 filesystem image made by mkfs.fat, with `from`'s contents copied in by `mcopy -s`
 * (no mount, so no vfat driver needed). mcopy refuses a name that clashes with one already
 * copied (FAT names are case-insensitive), so a clash fails the build rather than vanishing.
 */
export function makeFatImage(file: string, options: { from?: string; sizeMiB?: number; label?: string } = {}): string {
  fs.rmSync(file, { force: true });
  const sizeKiB = (options.sizeMiB ?? 64) * 1024;
  execFileSync('mkfs.fat', ['-C', '-F', '32', '-n', options.label ?? 'ESP', file, String(sizeKiB)], { stdio: 'pipe' });
  if (options.from) copyIntoFat(file, options.from);
  return file;
}

/** Copies a directory's contents into the root of a FAT image (or `IMAGE@@OFFSET`). */
export function copyIntoFat(image: string, dir: string): void {
  const names = fs.readdirSync(dir).map((name) => path.join(dir, name));
  if (names.length === 0) return;
  const run = spawnSync('mcopy', ['-s', '-p', '-Q', '-i', image, ...names, '::/'], { env: MTOOLS_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) throw new Error(`mcopy -s ${dir} into ${image} failed (${run.status}): ${run.stderr}${run.stdout}`);
}

/** Copies a FAT image's whole tree out into `dir` (after a boot, to see what the firmware side changed). */
export function copyOutOfFat(image: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('mcopy', ['-s', '-n', '-i', image, '::/*', dir], { env: MTOOLS_ENV, stdio: 'pipe' });
}

/** `fsck.fat -n` (check only, change nothing) on a FAT image file: its exit status and report. */
export function fsckFat(image: string): { clean: boolean; output: string } {
  const run = spawnSync('fsck.fat', ['-n', '-v', image], { encoding: 'utf8' });
  return { clean: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** Copies one partition of a disk out to its own file (fsck.fat and mkfs tools take a plain file). */
export function extractPartition(disk: GptDisk, index: number, file: string): string {
  const partition = disk.partitions[index]!;
  const input = fs.openSync(disk.file, 'r');
  const output = fs.openSync(file, 'w');
  try {
    const chunk = Buffer.alloc(4 * MiB);
    for (let done = 0; done < partition.size; ) {
      const read = fs.readSync(input, chunk, 0, Math.min(chunk.length, partition.size - done), partition.offset + done);
      if (read === 0) break;
      fs.writeSync(output, chunk, 0, read);
      done += read;
    }
  } finally {
    fs.closeSync(input);
    fs.closeSync(output);
  }
  return file;
}

/** An ext4 filesystem image with `from`'s contents, by `mkfs.ext4 -d` (no mount). */
export function makeExt4Image(file: string, options: { from?: string; sizeMiB?: number; label?: string } = {}): string {
  fs.rmSync(file, { force: true });
  const args = ['-q', '-F', '-L', options.label ?? 'root', '-E', 'root_owner=0:0'];
  if (options.from) args.push('-d', options.from);
  execFileSync('mkfs.ext4', [...args, file, `${options.sizeMiB ?? 64}M`], { stdio: 'pipe' });
  return file;
}

/**
 * Writes a GPT disk holding the given filesystem images, one partition each, in order:
 * protective MBR, primary header and entries, the partitions on 1 MiB boundaries, and the
 * backup entries and header in the last sectors (UEFI spec 2.10 §5.2-5.3). No sfdisk needed.
 */
export function makeGptDisk(file: string, specs: GptPartitionSpec[]): GptDisk {
  const partitions: GptPartition[] = [];
  let next = ALIGN_SECTORS;
  for (const spec of specs) {
    const size = fs.statSync(spec.image).size;
    const sectors = Math.ceil(size / SECTOR);
    partitions.push({ ...spec, uuid: spec.uuid ?? randomUUID(), offset: next * SECTOR, size: sectors * SECTOR });
    next += Math.ceil(sectors / ALIGN_SECTORS) * ALIGN_SECTORS;
  }
  const totalSectors = next + ENTRY_SECTORS + 1;
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, 'w+');
  try {
    fs.ftruncateSync(fd, totalSectors * SECTOR);
    const entries = Buffer.alloc(ENTRY_COUNT * ENTRY_SIZE);
    partitions.forEach((partition, index) => {
      const entry = entries.subarray(index * ENTRY_SIZE, (index + 1) * ENTRY_SIZE);
      guidBytes(partition.type).copy(entry, 0);
      guidBytes(partition.uuid).copy(entry, 16);
      entry.writeBigUInt64LE(BigInt(partition.offset / SECTOR), 32);
      entry.writeBigUInt64LE(BigInt(partition.offset / SECTOR + partition.size / SECTOR - 1), 40);
      Buffer.from(partition.name.slice(0, 36), 'utf16le').copy(entry, 56);
      copyImage(fd, partition.image, partition.offset);
    });
    const diskGuid = randomUUID();
    const lastLba = totalSectors - 1;
    const header = (self: number, alternate: number, entriesLba: number) => {
      const buffer = Buffer.alloc(SECTOR);
      buffer.write('EFI PART', 0, 'ascii');
      buffer.writeUInt32LE(0x00010000, 8);
      buffer.writeUInt32LE(92, 12);
      buffer.writeBigUInt64LE(BigInt(self), 24);
      buffer.writeBigUInt64LE(BigInt(alternate), 32);
      buffer.writeBigUInt64LE(BigInt(2 + ENTRY_SECTORS), 40);
      buffer.writeBigUInt64LE(BigInt(lastLba - ENTRY_SECTORS - 1), 48);
      guidBytes(diskGuid).copy(buffer, 56);
      buffer.writeBigUInt64LE(BigInt(entriesLba), 72);
      buffer.writeUInt32LE(ENTRY_COUNT, 80);
      buffer.writeUInt32LE(ENTRY_SIZE, 84);
      buffer.writeUInt32LE(zlib.crc32(entries), 88);
      buffer.writeUInt32LE(zlib.crc32(buffer.subarray(0, 92)), 16);
      return buffer;
    };
    fs.writeSync(fd, protectiveMbr(totalSectors), 0, SECTOR, 0);
    fs.writeSync(fd, header(1, lastLba, 2), 0, SECTOR, SECTOR);
    fs.writeSync(fd, entries, 0, entries.length, 2 * SECTOR);
    fs.writeSync(fd, entries, 0, entries.length, (lastLba - ENTRY_SECTORS) * SECTOR);
    fs.writeSync(fd, header(lastLba, 1, lastLba - ENTRY_SECTORS), 0, SECTOR, lastLba * SECTOR);
  } finally {
    fs.closeSync(fd);
  }
  return { file, partitions };
}

/** mtools' name for the FAT filesystem inside a disk partition. */
export function partitionImage(disk: GptDisk, index = 0): string {
  return `${disk.file}@@${disk.partitions[index]!.offset}`;
}

/** One MBR entry of type 0xEE covering the disk, so MBR-only tools leave the GPT alone. */
function protectiveMbr(totalSectors: number): Buffer {
  const mbr = Buffer.alloc(SECTOR);
  const entry = 446;
  mbr.writeUInt8(0x00, entry);
  mbr.writeUIntLE(0x000200, entry + 1, 3);
  mbr.writeUInt8(0xee, entry + 4);
  mbr.writeUIntLE(0xffffff, entry + 5, 3);
  mbr.writeUInt32LE(1, entry + 8);
  mbr.writeUInt32LE(Math.min(totalSectors - 1, 0xffffffff), entry + 12);
  mbr.writeUInt16LE(0xaa55, 510);
  return mbr;
}

/** A GUID's on-disk form: the first three fields little-endian, the rest as written. */
function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const bytes = Buffer.from(hex, 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

function copyImage(fd: number, image: string, offset: number): void {
  const input = fs.openSync(image, 'r');
  try {
    const chunk = Buffer.alloc(4 * MiB);
    for (let position = 0; ; position += chunk.length) {
      const read = fs.readSync(input, chunk, 0, chunk.length, position);
      if (read === 0) break;
      // Skip all-zero chunks: the disk file stays sparse.
      if (!chunk.subarray(0, read).equals(ZERO_CHUNK.subarray(0, read))) fs.writeSync(fd, chunk, 0, read, offset + position);
      if (read < chunk.length) break;
    }
  } finally {
    fs.closeSync(input);
  }
}
