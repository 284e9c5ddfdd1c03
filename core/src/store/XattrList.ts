import type { CanonicalReader } from './CanonicalReader';
import type { CanonicalWriter } from './CanonicalWriter';

/**
 * Extended attributes in canonical form: [name, value] pairs sorted by name bytes, names as
 * latin1 byte strings. Linux bounds names to 255 bytes and values to 64 KiB (xattr(7)), and
 * decoding enforces the same so a hostile object cannot ask for more.
 */
export type XattrList = Array<[string, Buffer]>;

export const XATTR_NAME_MAX = 255;
export const XATTR_SIZE_MAX = 65536;

export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** From a name → value record (the `label` hook's shape) to the canonical sorted list. */
export function xattrListFromRecord(record: Record<string, Buffer | Uint8Array>): XattrList {
  const names = Object.keys(record);
  if (names.length === 0) return [];
  names.sort(compareBytes);
  return names.map((name) => {
    const value = record[name]!;
    return [name, Buffer.isBuffer(value) ? value : Buffer.from(value)];
  });
}

export function xattrListToRecord(list: XattrList): Record<string, Buffer> {
  const record: Record<string, Buffer> = {};
  for (const [name, value] of list) record[name] = value;
  return record;
}

/** u32 count, then per attribute: u16 name length, name, u32 value length, value. */
export function writeXattrs(writer: CanonicalWriter, list: XattrList): void {
  writer.u32(list.length);
  for (const [name, value] of list) {
    writer.u16(name.length).latin1(name).u32(value.length).raw(value);
  }
}

export function readXattrs(reader: CanonicalReader): XattrList {
  const count = reader.u32();
  if (count > reader.remaining) reader.fail(`xattr count ${count} exceeds the object size`);
  const list: XattrList = [];
  let previous = '';
  for (let index = 0; index < count; index++) {
    const nameLength = reader.u16();
    if (nameLength === 0 || nameLength > XATTR_NAME_MAX) reader.fail(`xattr name length ${nameLength}`);
    const name = reader.latin1(nameLength);
    if (name.includes('\0')) reader.fail('xattr name holds NUL');
    if (index > 0 && compareBytes(previous, name) >= 0) reader.fail(`xattrs not strictly sorted at "${name}"`);
    const valueLength = reader.u32();
    if (valueLength > XATTR_SIZE_MAX) reader.fail(`xattr ${name} value of ${valueLength} bytes`);
    list.push([name, Buffer.from(reader.raw(valueLength))]);
    previous = name;
  }
  return list;
}

export function xattrListsEqual(a: XattrList, b: XattrList): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) {
    if (a[index]![0] !== b[index]![0] || !a[index]![1].equals(b[index]![1])) return false;
  }
  return true;
}
