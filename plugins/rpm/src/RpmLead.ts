/**
 * The lead: the first 96 bytes of every RPM file. Since rpm 3 it is vestigial (the headers
 * after it say everything), but its magic is how a file is recognised, and `file(1)` and old
 * tools still read the name and type from it.
 *
 * Layout (big-endian): magic[4] = ED AB EE DB, major u8, minor u8, type u16 (0 binary,
 * 1 source), archnum u16, name[66] NUL-padded, osnum u16, signature_type u16 (5: a header
 * signature follows), reserved[16].
 */
export interface RpmLead {
  major: number;
  minor: number;
  /** 0 for a binary package, 1 for a source package. */
  type: number;
  archnum: number;
  /** The NEVR the builder wrote, truncated to 65 bytes; the main header is authoritative. */
  name: string;
  osnum: number;
  /** 5 (RPMSIGTYPE_HEADERSIG): the only kind rpm has written since rpm 3; rpm ignores it. */
  signatureType: number;
}

export const LEAD_SIZE = 96;
const LEAD_MAGIC = 0xedabeedb;

/** Parses a lead; returns undefined when the magic is not there (the file is not an RPM). */
export function parseLead(bytes: Buffer): RpmLead | undefined {
  if (bytes.length < LEAD_SIZE || bytes.readUInt32BE(0) !== LEAD_MAGIC) return undefined;
  const nameField = bytes.subarray(10, 76);
  const end = nameField.indexOf(0);
  return {
    major: bytes[4]!,
    minor: bytes[5]!,
    type: bytes.readUInt16BE(6),
    archnum: bytes.readUInt16BE(8),
    name: nameField.subarray(0, end < 0 ? nameField.length : end).toString('latin1'),
    osnum: bytes.readUInt16BE(76),
    signatureType: bytes.readUInt16BE(78),
  };
}
