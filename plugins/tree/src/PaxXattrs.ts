import { TreeErrorCode, treeError } from './TreeError';

/**
 * The xattrs of a pax extended header (POSIX.1-2001 `x` records, "LEN key=value\n" with LEN the
 * record's length in bytes). GNU tar writes `SCHILY.xattr.NAME=raw bytes`; libarchive writes
 * `LIBARCHIVE.xattr.NAME=base64` (NAME URL-encoded) as well, which is exact for any bytes.
 * node-tar hands the header over as UTF-8 text, so a SCHILY value is exact only when it was
 * valid UTF-8 (SELinux labels, user.* text); a binary one without a LIBARCHIVE twin is refused
 * by `take()` rather than stored changed.
 */
export class PaxXattrs {
  private exact = new Map<string, Buffer>();
  private text = new Map<string, Buffer>();
  private lossy = new Set<string>();

  /** Reads the xattr records of one extended header's body (other records are node-tar's). */
  add(body: string): void {
    // A binary value came through as U+FFFD, so the byte lengths no longer hold: find the keys
    // by pattern, take the base64 (ASCII) values, and mark every raw one as unreadable.
    if (body.includes('\uFFFD')) {
      for (const match of body.matchAll(/(?:^|\n)\d+ SCHILY\.xattr\.([^=\n]+)=/g)) this.lossy.add(match[1]!);
      for (const match of body.matchAll(/(?:^|\n)\d+ LIBARCHIVE\.xattr\.([^=\n]+)=([A-Za-z0-9+/=]*)\n/g)) {
        this.exact.set(decodeURIComponent(match[1]!), Buffer.from(match[2]!, 'base64'));
      }
      return;
    }
    const bytes = Buffer.from(body, 'utf8');
    let offset = 0;
    while (offset < bytes.length) {
      const space = bytes.indexOf(0x20, offset);
      const length = Number(bytes.subarray(offset, space).toString('latin1'));
      if (space < 0 || !Number.isInteger(length) || length <= 0 || offset + length > bytes.length) return;
      const record = bytes.subarray(space + 1, offset + length - 1);
      const equals = record.indexOf(0x3d);
      if (equals < 0) return;
      const key = record.subarray(0, equals).toString('utf8');
      const value = record.subarray(equals + 1);
      if (key.startsWith('SCHILY.xattr.')) {
        this.text.set(key.slice('SCHILY.xattr.'.length), Buffer.from(value));
      } else if (key.startsWith('LIBARCHIVE.xattr.')) {
        this.exact.set(decodeURIComponent(key.slice('LIBARCHIVE.xattr.'.length)), Buffer.from(value.toString('latin1'), 'base64'));
      }
      offset += length;
    }
  }

  /** The xattrs gathered for `entry`, sorted by name, and a fresh start for the next entry. */
  take(archive: string, entry: string): Array<[string, Buffer]> {
    const merged = new Map([...this.text, ...this.exact]);
    for (const name of this.lossy) {
      if (!this.exact.has(name)) {
        throw treeError(TreeErrorCode.XATTR_UNREADABLE, archive, `xattr ${name} of ${entry} is binary, and the archive has no base64 copy of it`, {
          hint: 'Make the archive with bsdtar (libarchive), which writes LIBARCHIVE.xattr records, or use a directory source',
        });
      }
    }
    this.exact = new Map();
    this.text = new Map();
    this.lossy = new Set();
    return [...merged].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
