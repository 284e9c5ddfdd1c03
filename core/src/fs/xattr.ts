import { native } from './native';

/**
 * Extended attributes of one file, by name. Names are byte strings: they come back from the
 * kernel as latin1 so that every byte survives a round trip, and pure-ASCII names (all the
 * usual `security.selinux`, `security.capability`, `user.*`) read as themselves.
 */
export type Xattrs = Record<string, Buffer>;

/**
 * Reads every xattr of `path` without following a final symlink (llistxattr + lgetxattr in
 * one native call). A filesystem without xattr support reads as no xattrs.
 */
export function readXattrs(path: string | Buffer): Xattrs {
  const flat = native().lgetxattrs(path);
  const xattrs: Xattrs = {};
  for (let index = 0; index < flat.length; index += 2) xattrs[flat[index] as string] = flat[index + 1] as Buffer;
  return xattrs;
}

/** The same as readXattrs, as [name, value] pairs sorted by name bytes (canonical order). */
export function readXattrList(path: string | Buffer): Array<[string, Buffer]> {
  const flat = native().lgetxattrs(path);
  if (flat.length === 0) return [];
  const list: Array<[string, Buffer]> = [];
  for (let index = 0; index < flat.length; index += 2) list.push([flat[index] as string, flat[index + 1] as Buffer]);
  // latin1 strings compare code unit by code unit, which is byte order.
  if (list.length > 1) list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return list;
}

/** Sets one xattr on `path` itself, never on a symlink's target (lsetxattr). */
export function setXattr(path: string | Buffer, name: string, value: Buffer): void {
  native().lsetxattr(path, name, value);
}

export function removeXattr(path: string | Buffer, name: string): void {
  native().lremovexattr(path, name);
}

/**
 * Makes the xattrs of `path` exactly `wanted`: sets each one, and removes those it does not
 * name. With `existing` unknown, reads them first; pass `{}` for a file just created.
 */
export function applyXattrs(path: string | Buffer, wanted: Iterable<[string, Buffer]>, existing?: Xattrs): void {
  const current = existing ?? readXattrs(path);
  const keep = new Set<string>();
  for (const [name, value] of wanted) {
    keep.add(name);
    const old = current[name];
    if (!old || !old.equals(value)) native().lsetxattr(path, name, value);
  }
  for (const name of Object.keys(current)) if (!keep.has(name)) native().lremovexattr(path, name);
}
