import crypto from 'node:crypto';
import { HEADER_MAGIC, type RpmHeader } from './RpmHeader';
import { RpmErrorCode, rpmError } from './RpmError';
import { SigTag, Tag } from './RpmTag';

/**
 * rpm's hash algorithm numbers (rpmHashAlgo_e, the OpenPGP numbering), as FILEDIGESTALGO and
 * PAYLOADDIGESTALGO store them, mapped to Node's names. 1 (MD5) is the default when a package
 * has no FILEDIGESTALGO.
 */
export const HashAlgorithm: Readonly<Record<number, string>> = Object.freeze({
  1: 'md5',
  2: 'sha1',
  3: 'ripemd160',
  8: 'sha256',
  9: 'sha384',
  10: 'sha512',
  11: 'sha224',
  12: 'sha3-256',
  14: 'sha3-512',
});

export function hashName(algorithm: number, packageFile: string, what: string): string {
  const name = HashAlgorithm[algorithm];
  if (!name) throw rpmError(RpmErrorCode.UNSUPPORTED, packageFile, `${what} uses hash algorithm ${algorithm}, which Arbor does not know`);
  return name;
}

/**
 * Checks every header digest the signature header carries: SHA256, SHA1 and SHA3-256, each
 * over the main header as it is on disk (rpm's hdrblobDigestUpdate: the canonical magic, then
 * il, dl, the index and the store). They are hex strings. Returns the names of those checked.
 */
export function verifyHeaderDigests(signature: RpmHeader, header: RpmHeader, packageFile: string): string[] {
  const checks: Array<[number, string, string]> = [
    [SigTag.SHA256, 'sha256', 'header SHA256'],
    [SigTag.SHA1, 'sha1', 'header SHA1'],
    [SigTag.SHA3_256, 'sha3-256', 'header SHA3-256'],
  ];
  const verified: string[] = [];
  for (const [tag, algorithm, what] of checks) {
    const expected = signature.string(tag);
    if (expected === undefined) continue;
    const hash = crypto.createHash(algorithm);
    hash.update(HEADER_MAGIC);
    hash.update(header.bytes.subarray(HEADER_MAGIC.length));
    const actual = hash.digest('hex');
    if (actual !== expected.toLowerCase()) throw digestMismatch(packageFile, what, expected, actual);
    verified.push(what);
  }
  return verified;
}

export function digestMismatch(packageFile: string, what: string, expected: string, actual: string): Error {
  return rpmError(RpmErrorCode.DIGEST_MISMATCH, packageFile, `${what} digest mismatch: the package records ${expected}, the bytes hash to ${actual}`, {
    hint: 'The package is damaged or was altered; download it again',
  });
}

interface ExpectedDigest {
  what: string;
  algorithm: string;
  expected: string;
}

/**
 * Checks the payload as its compressed bytes stream past: the payload digests of the main
 * header (PAYLOADDIGEST with PAYLOADDIGESTALGO, PAYLOADSHA512, PAYLOADSHA3_256), or, for older
 * packages that have none of them, the signature header's MD5 over header + payload. SIZE and
 * LONGSIZE (header + payload bytes) catch a truncated file even when no digest is present.
 */
export class PayloadVerifier {
  /** Compressed payload bytes the signature header says follow the main header, if it says. */
  readonly expectedSize: number | undefined;
  private readonly hashes: Array<{ digest: ExpectedDigest; hash: crypto.Hash }>;
  private bytes = 0;

  constructor(signature: RpmHeader, header: RpmHeader, private readonly packageFile: string) {
    const expected = payloadDigests(header, packageFile);
    this.hashes = expected.map((digest) => ({ digest, hash: crypto.createHash(digest.algorithm) }));
    const md5 = signature.binary(SigTag.MD5);
    if (expected.length === 0 && md5?.length === 16) {
      const hash = crypto.createHash('md5').update(header.bytes);
      this.hashes.push({ digest: { what: 'header+payload MD5', algorithm: 'md5', expected: md5.toString('hex') }, hash });
    }
    const size = signature.number(SigTag.LONGSIZE) ?? signature.number(SigTag.SIZE);
    this.expectedSize = size === undefined ? undefined : size - header.bytes.length;
  }

  /** Which digests are checked, e.g. `payload SHA256`; empty for a package that records none. */
  get checks(): string[] {
    return this.hashes.map(({ digest }) => digest.what);
  }

  update(chunk: Buffer): void {
    this.bytes += chunk.length;
    for (const { hash } of this.hashes) hash.update(chunk);
  }

  /** The error for a payload that ended early, if the signature header's size shows it did. */
  truncation(): Error | undefined {
    if (this.expectedSize === undefined || this.bytes >= this.expectedSize) return undefined;
    return rpmError(RpmErrorCode.TRUNCATED, this.packageFile, `the file ends after ${this.bytes} of ${this.expectedSize} payload bytes`, {
      hint: 'The download was cut short; fetch the package again',
    });
  }

  /** Call at the end of the file: throws naming the size or the first digest that is wrong. */
  finish(): void {
    const truncated = this.truncation();
    if (truncated) throw truncated;
    for (const { digest, hash } of this.hashes) {
      const actual = hash.digest('hex');
      if (actual !== digest.expected.toLowerCase()) throw digestMismatch(this.packageFile, digest.what, digest.expected, actual);
    }
    if (this.expectedSize !== undefined && this.bytes !== this.expectedSize) {
      throw rpmError(RpmErrorCode.PAYLOAD_INVALID, this.packageFile, `the payload is ${this.bytes} bytes, the signature header says ${this.expectedSize}`);
    }
  }
}

/** The compressed-payload digests the main header records (rpm 4.14+ and v6). */
function payloadDigests(header: RpmHeader, packageFile: string): ExpectedDigest[] {
  const digests: ExpectedDigest[] = [];
  const sha256 = header.strings(Tag.PAYLOADDIGEST)?.[0];
  if (sha256) {
    const algorithmId = header.number(Tag.PAYLOADDIGESTALGO) ?? 8;
    const algorithm = hashName(algorithmId, packageFile, 'the payload digest');
    digests.push({ what: `payload ${algorithm.toUpperCase()}`, algorithm, expected: sha256 });
  }
  const sha512 = header.string(Tag.PAYLOADSHA512);
  if (sha512) digests.push({ what: 'payload SHA512', algorithm: 'sha512', expected: sha512 });
  const sha3 = header.string(Tag.PAYLOADSHA3_256);
  if (sha3) digests.push({ what: 'payload SHA3-256', algorithm: 'sha3-256', expected: sha3 });
  return digests;
}
