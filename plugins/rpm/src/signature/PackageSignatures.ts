import type { RpmHeader } from '../RpmHeader';
import { SigTag } from '../RpmTag';

/** What an OpenPGP signature in a package covers. */
export type SignatureScope = 'header' | 'header+payload';

/** One OpenPGP signature packet found in a package's signature header. */
export interface PackageSignature {
  /** The signature header tag it came from: RSAHEADER, DSAHEADER, OPENPGP, PGP or GPG. */
  tag: keyof typeof SIGNATURE_TAGS;
  scope: SignatureScope;
  /** The binary OpenPGP signature packet. */
  packet: Buffer;
  /** The packet's version byte (3, 4 or 6), or undefined when the packet header is malformed. */
  version: number | undefined;
}

/**
 * The signature header tags that hold OpenPGP signatures (rpm's rpmtag.h, rpmvs.c):
 * RSAHEADER and DSAHEADER sign the main header alone (rpm >= 4.1 writes them); OPENPGP (rpm 6)
 * holds any number of base64 signatures of the main header; PGP and GPG, the legacy
 * header+payload signatures, are checked as well when present, as rpm 4.18's `rpmkeys -K` does.
 * The main header of rpm >= 4.14 records a payload digest, so a header signature covers the payload.
 */
const SIGNATURE_TAGS = {
  RSAHEADER: { tag: SigTag.RSAHEADER, scope: 'header', base64: false },
  DSAHEADER: { tag: SigTag.DSAHEADER, scope: 'header', base64: false },
  OPENPGP: { tag: SigTag.OPENPGP, scope: 'header', base64: true },
  PGP: { tag: SigTag.PGP, scope: 'header+payload', base64: false },
  GPG: { tag: SigTag.GPG, scope: 'header+payload', base64: false },
} as const;

/** Every OpenPGP signature packet of a signature header, header signatures first. */
export function readPackageSignatures(signature: RpmHeader): PackageSignature[] {
  const found: PackageSignature[] = [];
  for (const [name, { tag, scope, base64 }] of Object.entries(SIGNATURE_TAGS) as [PackageSignature['tag'], (typeof SIGNATURE_TAGS)[PackageSignature['tag']]][]) {
    const packets = base64 ? (signature.strings(tag) ?? []).map((text) => Buffer.from(text, 'base64')) : [signature.binary(tag)].filter((bytes) => bytes !== undefined);
    for (const packet of packets) {
      if (packet.length) found.push({ tag: name, scope, packet: Buffer.from(packet), version: packetBody(packet)?.[0] });
    }
  }
  return found;
}

/**
 * The body of an OpenPGP packet (RFC 9580 §4.2): after a one-byte tag, an old-format length of
 * 1, 2 or 4 bytes (by the tag's low two bits), or a new-format length of 1, 2 or 5 bytes (by
 * the first length byte). A signature tag holds one packet, so the body runs to the end.
 * Its first byte is the signature's version, which names V3 signatures openpgp.js does not read.
 */
export function packetBody(packet: Buffer): Buffer | undefined {
  const tag = packet[0];
  if (tag === undefined || (tag & 0x80) === 0) return undefined;
  let at: number;
  if (tag & 0x40) {
    const first = packet[1];
    if (first === undefined) return undefined;
    at = first < 192 ? 2 : first < 224 ? 3 : first === 255 ? 6 : -1;
  } else {
    const lengthType = tag & 0x03;
    at = lengthType === 3 ? -1 : 1 + [1, 2, 4][lengthType]!;
  }
  return at < 0 || at >= packet.length ? undefined : packet.subarray(at);
}
