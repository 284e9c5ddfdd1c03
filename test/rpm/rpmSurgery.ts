import crypto from 'node:crypto';

/**
 * Byte-level edits of built RPMs, for packages no build tool would write: a header that claims
 * more data than the file holds, or paths with `..` whose digests are all correct, so that the
 * path check (not a digest) is what must stop them. Deliberately independent of the plugin's
 * reader: it finds structures by the format's fixed layout alone.
 */
export interface HeaderSpan {
  /** Offset of the header's magic in the file. */
  start: number;
  /** Offset of its data store. */
  store: number;
  end: number;
  entries: number;
}

/** The signature and main header of a package file (lead is 96 bytes; signature padded to 8). */
export function headerSpans(file: Buffer): { signature: HeaderSpan; main: HeaderSpan } {
  const span = (start: number): HeaderSpan => {
    const entries = file.readUInt32BE(start + 8);
    const store = start + 16 + entries * 16;
    return { start, store, entries, end: store + file.readUInt32BE(start + 12) };
  };
  const signature = span(96);
  const main = span(signature.end + ((8 - ((signature.end - 96) % 8)) % 8));
  return { signature, main };
}

/** Where a tag's data is in the file, if the header has the tag. */
export function tagOffset(file: Buffer, header: HeaderSpan, tag: number): number | undefined {
  for (let i = 0; i < header.entries; i++) {
    const at = header.start + 16 + i * 16;
    if (file.readUInt32BE(at) === tag) return header.store + file.readInt32BE(at + 8);
  }
  return undefined;
}

/** Replaces every occurrence of `from` with `to` (same length) inside [start, end). */
export function replaceBytes(file: Buffer, start: number, end: number, from: string, to: string): number {
  if (from.length !== to.length) throw new Error('replacements must keep the length');
  let count = 0;
  for (let at = file.indexOf(from, start); at >= 0 && at < end; at = file.indexOf(from, at + 1)) {
    file.write(to, at, 'latin1');
    count++;
  }
  return count;
}

/**
 * Recomputes every digest rpmbuild records after an edit: the payload digests (PAYLOADDIGEST,
 * and PAYLOADDIGESTALT, which for an uncompressed payload is the same), then the header's
 * SHA256 and SHA1, then the MD5 over header and payload.
 */
export function redigest(file: Buffer, options: { uncompressed: boolean }): void {
  const { signature, main } = headerSpans(file);
  const payload = file.subarray(main.end);
  const writeHex = (header: HeaderSpan, tag: number, algorithm: string, data: Buffer) => {
    const at = tagOffset(file, header, tag);
    if (at !== undefined) file.write(crypto.createHash(algorithm).update(data).digest('hex'), at, 'latin1');
  };
  writeHex(main, 5092, 'sha256', payload);
  if (options.uncompressed) writeHex(main, 5097, 'sha256', payload);
  const header = file.subarray(main.start, main.end);
  writeHex(signature, 273, 'sha256', header);
  writeHex(signature, 269, 'sha1', header);
  const md5 = tagOffset(file, signature, 1004);
  if (md5 !== undefined) crypto.createHash('md5').update(header).update(payload).digest().copy(file, md5);
}
