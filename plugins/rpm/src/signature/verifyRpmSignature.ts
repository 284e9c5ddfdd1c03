import { ReadableStream } from 'node:stream/web';
import { PayloadVerifier } from '../RpmDigest';
import { openRpm, type OpenedRpm } from '../readRpmHeaders';
import { loadOpenPgp, type OpenPgp } from './OpenPgp';
import { packetBody, readPackageSignatures, type PackageSignature } from './PackageSignatures';
import type { RpmKeyring } from './RpmKeyring';
import { decideVerdict, type RpmSignatureReport, type SignatureCheck } from './SignatureReport';
import { V3Signature } from './V3Signature';

/**
 * Checks a package file as `rpmkeys --checksig` does: the header digests, the payload digests
 * (the whole file is read once, streaming) and every OpenPGP signature, against the keys of
 * `keyring`: V4 and V6 with openpgp.js, RSA V3 with node:crypto (V3Signature). Header
 * signatures cover the main header as it is on disk, from its magic to its last data byte
 * (rpm's hdrblob); legacy ones cover that and then the compressed payload.
 * A damaged package (a digest that does not match, a truncated file) throws its RpmError.
 */
export async function verifyRpmSignature(packageFile: string, keyring: RpmKeyring): Promise<RpmSignatureReport> {
  const openpgp = await loadOpenPgp();
  const rpm = await openRpm(packageFile);
  try {
    const found = readPackageSignatures(rpm.signature);
    const checks = new Map<PackageSignature, SignatureCheck>();
    const settle = (signatures: readonly PackageSignature[], results: readonly SignatureCheck[]) => signatures.forEach((signature, index) => checks.set(signature, results[index]!));
    // V3 packets go to node:crypto (V3Signature); openpgp.js checks the rest.
    const v3 = found.filter((signature) => signature.version === 3).map((signature) => ({ signature, parsed: V3Signature.parse(packetBody(signature.packet)!) }));
    const modern = found.filter((signature) => signature.version !== 3);
    const header = modern.filter((signature) => signature.scope === 'header');
    const legacy = modern.filter((signature) => signature.scope === 'header+payload');
    settle(header, await checkSignatures(openpgp, header, () => rpm.header.bytes, keyring));
    for (const { parsed } of v3) parsed?.update(rpm.header.bytes);
    for (const entry of v3.filter((candidate) => candidate.signature.scope === 'header')) checks.set(entry.signature, await checkV3(entry.signature, entry.parsed, keyring));

    const payload = new PayloadVerifier(rpm.signature, rpm.header, packageFile);
    const v3Legacy = v3.filter((entry) => entry.signature.scope === 'header+payload');
    const observe = (chunk: Buffer) => {
      payload.update(chunk);
      for (const { parsed } of v3Legacy) parsed?.update(chunk);
    };
    if (legacy.length) settle(legacy, await checkSignatures(openpgp, legacy, () => headerAndPayload(rpm, observe), keyring));
    // What openpgp.js did not read (all of it, when no legacy signature went to it).
    for await (const chunk of rpm.reader.rest()) observe(chunk);
    payload.finish();
    for (const entry of v3Legacy) checks.set(entry.signature, await checkV3(entry.signature, entry.parsed, keyring));

    const signatures = found.map((signature) => checks.get(signature)!);
    const payloadDigestInHeader = payload.checks.some((check) => check.startsWith('payload '));
    return { file: packageFile, digests: [...rpm.headerDigests, ...payload.checks], signatures, ...decideVerdict(signatures, payloadDigestInHeader) };
  } finally {
    rpm.close();
  }
}

async function checkV3(signature: PackageSignature, parsed: V3Signature | undefined, keyring: RpmKeyring): Promise<SignatureCheck> {
  const check = { tag: signature.tag, scope: signature.scope };
  if (!parsed) return { ...check, keyId: null, algorithm: null, status: 'unsupported', reason: 'a malformed V3 signature packet' };
  return { ...check, keyId: parsed.keyId, algorithm: parsed.algorithmName, ...(await parsed.verify(keyring)) };
}

/** The main header then the payload, as one stream for openpgp.js; `observe` sees each payload chunk on the way (digests, V3 signatures). */
function headerAndPayload(rpm: OpenedRpm, observe: (chunk: Buffer) => void): ReadableStream<Uint8Array> {
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(rpm.header.bytes);
    for await (const chunk of rpm.reader.rest()) {
      observe(chunk);
      yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    }
  }
  return ReadableStream.from(bytes());
}

/**
 * Verifies signatures that all cover the same data. Signatures whose issuer is not in the
 * keyring, or that openpgp.js cannot read, are settled without it; the rest are verified in
 * one openpgp.verify call, so streamed data is read once. `data` is called only when needed.
 */
async function checkSignatures(
  openpgp: OpenPgp,
  signatures: readonly PackageSignature[],
  data: () => Uint8Array | ReadableStream<Uint8Array>,
  keyring: RpmKeyring,
): Promise<SignatureCheck[]> {
  const checks: SignatureCheck[] = [];
  const toVerify: { check: SignatureCheck; packet: Buffer }[] = [];
  for (const signature of signatures) {
    const check: SignatureCheck = { tag: signature.tag, scope: signature.scope, keyId: null, algorithm: null, status: 'unsupported' };
    checks.push(check);
    let parsed: Awaited<ReturnType<OpenPgp['readSignature']>>;
    try {
      parsed = await openpgp.readSignature({ binarySignature: new Uint8Array(signature.packet) });
    } catch (error) {
      check.reason = `openpgp.js cannot read it (${firstLine(error)})`;
      continue;
    }
    const packet = parsed.packets[0];
    if (parsed.packets.length !== 1 || !(packet instanceof openpgp.SignaturePacket)) {
      // openpgp.js keeps what it cannot parse as an UnparseablePacket: V3 signatures, unknown algorithms (ML-DSA).
      check.reason = `openpgp.js cannot parse this version ${signature.version ?? '?'} signature packet${signature.version === 4 || signature.version === 6 ? ` (public-key algorithm ${unparsedAlgorithm(signature.packet)})` : ''}`;
      continue;
    }
    check.keyId = packet.issuerKeyID.toHex();
    check.algorithm = `V${packet.version} ${algorithmName(openpgp, packet.publicKeyAlgorithm ?? -1)}/${hashName(openpgp, packet.hashAlgorithm ?? -1)}`;
    if (keyring.keysWithId(check.keyId).length === 0) {
      check.status = 'nokey';
      check.reason = 'no trusted key has this key ID';
      continue;
    }
    toVerify.push({ check, packet: signature.packet });
  }
  if (toVerify.length === 0) return checks;
  const signature = await openpgp.readSignature({ binarySignature: new Uint8Array(Buffer.concat(toVerify.map((entry) => entry.packet))) });
  const keys = [...new Set(toVerify.flatMap((entry) => keyring.keysWithId(entry.check.keyId!)))];
  const input = data();
  const message = input instanceof Uint8Array ? await openpgp.createMessage({ binary: input }) : await openpgp.createMessage({ binary: input as never });
  const result = await openpgp.verify({ message, signature, verificationKeys: keys, format: 'binary' });
  // A streamed message is hashed as its data is read: read it to the end before asking.
  if (!(result.data instanceof Uint8Array)) await drain(result.data as unknown as ReadableStream<Uint8Array>);
  for (const [index, { check }] of toVerify.entries()) {
    try {
      await result.signatures[index]!.verified;
      check.status = 'ok';
    } catch (error) {
      check.status = 'bad';
      check.reason = firstLine(error);
    }
  }
  return checks;
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader();
  while (!(await reader.read()).done) { /* hashed as it passes */ }
}

/** The public-key algorithm byte of a V4 or V6 signature packet: after the header, the version and the signature type. */
function unparsedAlgorithm(packet: Buffer): number | string {
  const first = packet[0]! & 0x40 ? (packet[1]! < 192 ? 2 : packet[1]! < 224 ? 3 : 6) : 1 + [1, 2, 4, 0][packet[0]! & 0x03]!;
  return packet[first + 2] ?? '?';
}

/** rpm's names for OpenPGP public-key algorithms (rpmpgp's pgpValTbl). */
function algorithmName(openpgp: OpenPgp, id: number): string {
  const names: Record<string, string> = { rsaEncryptSign: 'RSA', rsaSign: 'RSA', dsa: 'DSA', ecdsa: 'ECDSA', eddsaLegacy: 'EdDSA', ed25519: 'Ed25519', ed448: 'Ed448' };
  const name = openpgp.enums.read(openpgp.enums.publicKey, id) as string | undefined;
  return (name && names[name]) ?? `algorithm ${id}`;
}

function hashName(openpgp: OpenPgp, id: number): string {
  const name = openpgp.enums.read(openpgp.enums.hash, id) as string | undefined;
  return name ? name.toUpperCase() : `hash ${id}`;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}
