import { CanonicalReader } from './CanonicalReader';
import { CanonicalWriter } from './CanonicalWriter';
import { PERMISSION_BITS, S_IFDIR, S_IFMT } from './FileHeader';
import { readXattrs, writeXattrs, type XattrList } from './XattrList';

/** A directory's own metadata; its ID is BLAKE3 of the encoding below. */
export interface DirMeta {
  /** S_IFDIR plus the 12 permission bits. */
  mode: number;
  uid: number;
  gid: number;
  xattrs: XattrList;
}

export const DIRMETA_MAGIC = 'arbm';
export const DIRMETA_VERSION = 1;

/**   "arbm" u8(1) u32 mode u32 uid u32 gid xattrs */
export function encodeDirMeta(meta: DirMeta): Buffer {
  const writer = new CanonicalWriter(32 + meta.xattrs.length * 64);
  writer.latin1(DIRMETA_MAGIC).u8(DIRMETA_VERSION).u32(meta.mode).u32(meta.uid).u32(meta.gid);
  writeXattrs(writer, meta.xattrs);
  return writer.finish();
}

export function decodeDirMeta(bytes: Buffer, what: string): DirMeta {
  const reader = new CanonicalReader(bytes, what);
  reader.magic(DIRMETA_MAGIC, DIRMETA_VERSION);
  const mode = reader.u32();
  if ((mode & S_IFMT) !== S_IFDIR || (mode & ~(S_IFMT | PERMISSION_BITS)) !== 0) reader.fail(`directory mode ${mode.toString(8)}`);
  const uid = reader.u32();
  const gid = reader.u32();
  const xattrs = readXattrs(reader);
  reader.end();
  return { mode, uid, gid, xattrs };
}
