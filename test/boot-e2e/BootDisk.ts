import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const SECTOR = 512;
/** The root filesystem's label, which the test's GRUB searches for. */
export const ROOT_LABEL = 'arbor-root';
const MIB = 1 << 20;

export interface BootDiskLayout {
  espMiB: number;
  rootMiB: number;
}

/**
 * One disk with an MBR partition table: an EFI System Partition (type 0xEF, FAT) then an ext4
 * root (0x83), i.e. /dev/vda1 and /dev/vda2 in the guest. The host kernel here has no vfat, so
 * the ESP is kept as a host directory (the sysroot config's `esp`) and written into the FAT
 * partition with mtools before each boot; the root partition is loop-mounted (by offset) for
 * every arbor command and unmounted before qemu starts.
 */
export class BootDisk {
  readonly espOffset = MIB;
  readonly rootOffset: number;

  private constructor(readonly file: string, readonly layout: BootDiskLayout) {
    this.rootOffset = this.espOffset + layout.espMiB * MIB;
  }

  static create(file: string, layout: BootDiskLayout): BootDisk {
    const disk = new BootDisk(file, layout);
    const size = disk.rootOffset + layout.rootMiB * MIB;
    fs.writeFileSync(file, '');
    fs.truncateSync(file, size);
    disk.writePartitionTable();
    execFileSync('mkfs.ext4', ['-q', '-F', '-L', ROOT_LABEL, '-E', `offset=${disk.rootOffset}`, file, `${layout.rootMiB}M`], { stdio: 'pipe' });
    return disk;
  }

  /** MBR (the PC partition table): entries of 16 bytes at 446, {status, CHS, type, CHS, LBA start, sectors}. */
  private writePartitionTable(): void {
    const mbr = Buffer.alloc(SECTOR);
    const entry = (slot: number, type: number, start: number, bytes: number) => {
      const at = 446 + slot * 16;
      mbr[at] = 0x00;
      // CHS fields hold the "beyond CHS" marker; every modern reader uses the LBA fields.
      mbr.writeUIntBE(0xfeffff, at + 1, 3);
      mbr[at + 4] = type;
      mbr.writeUIntBE(0xfeffff, at + 5, 3);
      mbr.writeUInt32LE(start / SECTOR, at + 8);
      mbr.writeUInt32LE(bytes / SECTOR, at + 12);
    };
    entry(0, 0xef, this.espOffset, this.layout.espMiB * MIB);
    entry(1, 0x83, this.rootOffset, this.layout.rootMiB * MIB);
    mbr.writeUInt32LE(0x41524252, 440); // disk signature "RBRA"
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    const fd = fs.openSync(this.file, 'r+');
    try {
      fs.writeSync(fd, mbr, 0, SECTOR, 0);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Writes a fresh FAT filesystem holding a copy of `dir` into the ESP partition (mtools). */
  writeEsp(dir: string, work: string): void {
    const image = path.join(work, 'esp.img');
    fs.rmSync(image, { force: true });
    execFileSync('mkfs.fat', ['-C', '-F', '32', '-n', 'ESP', image, String(this.layout.espMiB * 1024)], { stdio: 'pipe' });
    const entries = fs.readdirSync(dir).map((name) => path.join(dir, name));
    if (entries.length) execFileSync('mcopy', ['-s', '-Q', '-i', image, ...entries, '::/'], { stdio: 'pipe' });
    execFileSync('fsck.fat', ['-n', image], { stdio: 'pipe' });
    const content = fs.readFileSync(image);
    const fd = fs.openSync(this.file, 'r+');
    try {
      fs.writeSync(fd, content, 0, content.length, this.espOffset);
    } finally {
      fs.closeSync(fd);
    }
    fs.rmSync(image);
  }

  /** Mounts the root partition at `dir`, runs `body`, and unmounts it again (also on a throw). */
  async withRoot<T>(dir: string, body: (root: string) => Promise<T> | T): Promise<T> {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-o', `loop,offset=${this.rootOffset},sizelimit=${this.layout.rootMiB * MIB}`, this.file, dir]);
    try {
      return await body(dir);
    } finally {
      execFileSync('umount', ['-d', dir]);
    }
  }

  /** `e2fsck -fn` on the root partition: the guest's writes left a consistent filesystem. */
  checkRoot(work: string): string {
    const image = path.join(work, 'root-check.img');
    execFileSync('dd', [`if=${this.file}`, `of=${image}`, 'bs=1M', `skip=${this.rootOffset / MIB}`, `count=${this.layout.rootMiB}`, 'status=none']);
    try {
      return execFileSync('e2fsck', ['-fn', image], { encoding: 'utf8', stdio: 'pipe' });
    } finally {
      fs.rmSync(image, { force: true });
    }
  }
}
