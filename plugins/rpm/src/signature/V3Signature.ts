import crypto from 'node:crypto';
import { HashAlgorithm } from '../RpmDigest';
import type { RpmKeyring } from './RpmKeyring';

/**
 * A version 3 OpenPGP signature (RFC 4880 §5.2.2), which rpm wrote until 4.x and still
 * verifies, and openpgp.js does not read. Only RSA ones are checked here, with node:crypto:
 * the signed hash is H(data || type || creation time), and the MPI is an EMSA-PKCS1-v1_5
 * signature of it, which is what `crypto.verify` with the hash's name checks.
 *
 * Body layout: version 3, hashed length 5, signature type, creation time (4), issuer key ID
 * (8), public-key algorithm, hash algorithm, left 16 bits of the hash (2), then the MPIs.
 */
export class V3Signature {
  private readonly hash: crypto.Verify | undefined;

  private constructor(
    readonly keyId: string,
    readonly created: Date,
    readonly publicKeyAlgorithm: number,
    readonly hashAlgorithm: number,
    private readonly trailer: Buffer,
    private readonly mpi: Buffer,
  ) {
    const name = HashAlgorithm[hashAlgorithm];
    this.hash = name && !WEAK_HASHES.has(hashAlgorithm) ? crypto.createVerify(name) : undefined;
  }

  /** Parses a V3 packet's body; undefined when it is not a well-formed V3 signature. */
  static parse(body: Buffer): V3Signature | undefined {
    if (body.length < 21 || body[0] !== 3 || body[1] !== 5) return undefined;
    // An MPI: a two-byte bit count, then the big-endian bytes (RFC 4880 §3.2).
    const bits = body.readUInt16BE(19);
    const mpi = body.subarray(21, 21 + Math.ceil(bits / 8));
    if (mpi.length !== Math.ceil(bits / 8)) return undefined;
    return new V3Signature(body.subarray(7, 15).toString('hex'), new Date(body.readUInt32BE(3) * 1000), body[15]!, body[16]!, body.subarray(2, 7), mpi);
  }

  get algorithmName(): string {
    return `V3 ${this.publicKeyAlgorithm === 1 || this.publicKeyAlgorithm === 3 ? 'RSA' : `algorithm ${this.publicKeyAlgorithm}`}/${(HashAlgorithm[this.hashAlgorithm] ?? `hash ${this.hashAlgorithm}`).toUpperCase()}`;
  }

  /** Feeds signed data (the header, then the payload for legacy signatures). */
  update(chunk: Uint8Array): void {
    this.hash?.update(chunk);
  }

  /** Checks the signature once all data was fed: with the issuer's key, valid for signing when it signed. */
  async verify(keyring: RpmKeyring): Promise<{ status: 'ok' | 'bad' | 'nokey' | 'unsupported'; reason?: string }> {
    // Type 0x00, a signature of a binary document: what rpm makes; any other type signs something else.
    if (this.trailer[0] !== 0x00) return { status: 'bad', reason: `a V3 signature of type ${this.trailer[0]}, not of a binary document (0)` };
    if (this.publicKeyAlgorithm !== 1 && this.publicKeyAlgorithm !== 3) return { status: 'unsupported', reason: 'a V3 signature of a non-RSA key, which Arbor does not verify' };
    if (!this.hash) return { status: 'unsupported', reason: `hash algorithm ${HashAlgorithm[this.hashAlgorithm] ?? this.hashAlgorithm} is not accepted (as openpgp.js refuses MD5, RIPEMD-160 and SHA-1)` };
    const keys = keyring.keysWithId(this.keyId);
    if (keys.length === 0) return { status: 'nokey', reason: 'no trusted key has this key ID' };
    this.hash.update(this.trailer);
    let lastError = 'no key verifies it';
    for (const key of keys) {
      const candidate = key.getKeys().find((entry) => entry.getKeyID().toHex() === this.keyId)!;
      let params: { n?: Uint8Array; e?: Uint8Array };
      try {
        params = (await key.getSigningKey(candidate.getKeyID(), this.created)).keyPacket.publicParams as typeof params;
      } catch (error) {
        lastError = String((error as Error).message).split('\n')[0]!;
        continue;
      }
      if (!params.n || !params.e) {
        lastError = 'the key is not an RSA key';
        continue;
      }
      const publicKey = crypto.createPublicKey({ key: { kty: 'RSA', n: Buffer.from(params.n).toString('base64url'), e: Buffer.from(params.e).toString('base64url') }, format: 'jwk' });
      // PKCS#1 wants the signature as long as the modulus; the MPI drops leading zero bytes.
      const signature = Buffer.concat([Buffer.alloc(Math.max(0, params.n.length - this.mpi.length)), this.mpi]);
      return this.hash.verify(publicKey, signature) ? { status: 'ok' } : { status: 'bad', reason: 'the RSA signature does not match the data' };
    }
    return { status: 'bad', reason: lastError };
  }
}

/** MD5, SHA-1 and RIPEMD-160: refused as openpgp.js's default policy refuses them. */
const WEAK_HASHES = new Set([1, 2, 3]);
