import path from 'node:path';
import { ArborError } from '@arbor/core/errors';
import { RpmErrorCode } from '../RpmError';
import type { PackageSignature, SignatureScope } from './PackageSignatures';

/** How one OpenPGP signature of a package fared. */
export interface SignatureCheck {
  tag: PackageSignature['tag'];
  scope: SignatureScope;
  /** The issuer's key ID, 16 lowercase hex digits; null when the packet could not be read. */
  keyId: string | null;
  /** rpm's way of naming it: `V4 RSA/SHA256`, `V4 EdDSA/SHA512`, `V6 Ed25519/SHA512`. */
  algorithm: string | null;
  /** ok: verified with a trusted key; bad: a trusted key says it does not match; nokey: no trusted key has its ID. */
  status: 'ok' | 'bad' | 'nokey' | 'unsupported';
  /** Why it is not ok. */
  reason?: string;
}

export type SignatureVerdict = 'ok' | 'missing' | 'bad' | 'unknown-key' | 'unsupported';

/** What `arbor rpm checksig --json` prints per package, and what layering decides on. */
export interface RpmSignatureReport {
  file: string;
  /** The digests checked and found right (`header SHA256`, `payload SHA256`, ...). */
  digests: string[];
  signatures: SignatureCheck[];
  verdict: SignatureVerdict;
  /** One line saying what is wrong; absent when the verdict is ok. */
  problem?: string;
}

/**
 * The verdict over a package's signatures, as rpm's signature-level verification decides it:
 * at least one signature verifies with a trusted key, and none is bad. A signature made by a
 * key that is not trusted, or in a form openpgp.js cannot check, is reported but does not
 * fail a package that another signature vouches for (rpm 6 packages may carry several).
 * When the main header records no payload digest (packages older than rpm 4.14), a header
 * signature says nothing about the payload: then a header+payload signature must verify too.
 */
export function decideVerdict(signatures: readonly SignatureCheck[], payloadDigestInHeader: boolean): Pick<RpmSignatureReport, 'verdict' | 'problem'> {
  const describe = (check: SignatureCheck) => `${check.algorithm ?? 'unreadable'} signature (${check.tag}${check.keyId ? `, key ID ${check.keyId}` : ''})`;
  if (signatures.length === 0) return { verdict: 'missing', problem: 'the package is not signed (no OpenPGP signature in its signature header)' };
  const bad = signatures.find((check) => check.status === 'bad');
  if (bad) return { verdict: 'bad', problem: `${describe(bad)} does not verify: ${bad.reason}` };
  const ok = signatures.filter((check) => check.status === 'ok');
  if (ok.length) {
    if (payloadDigestInHeader || ok.some((check) => check.scope === 'header+payload')) return { verdict: 'ok' };
    return { verdict: 'missing', problem: 'the header records no payload digest and no header+payload signature verifies, so nothing signed covers the payload' };
  }
  const noKey = signatures.filter((check) => check.status === 'nokey');
  if (noKey.length) return { verdict: 'unknown-key', problem: `signed with key ID ${[...new Set(noKey.map((check) => check.keyId))].join(', ')}, which is not among the trusted keys` };
  return { verdict: 'unsupported', problem: signatures.map((check) => `${describe(check)}: ${check.reason}`).join('; ') };
}

const CODES: Record<Exclude<SignatureVerdict, 'ok'>, string> = {
  missing: RpmErrorCode.SIGNATURE_MISSING,
  bad: RpmErrorCode.SIGNATURE_BAD,
  'unknown-key': RpmErrorCode.SIGNATURE_UNKNOWN_KEY,
  unsupported: RpmErrorCode.SIGNATURE_UNSUPPORTED,
};

/**
 * The one-line error for a package that failed its check, naming the file, where its trust
 * comes from (`repo [fedora] (fedora.repo)`, or the key files) and the key IDs involved.
 */
export function signatureError(report: RpmSignatureReport, trust: { where: string; keyIds: readonly string[]; hint?: string }): ArborError | undefined {
  if (report.verdict === 'ok') return undefined;
  const trusted = trust.keyIds.length ? `trusted keys ${trust.keyIds.join(', ')}` : 'no trusted keys';
  return new ArborError(CODES[report.verdict], `${path.basename(report.file)} from ${trust.where}: ${report.problem} (${trusted})`, {
    hint: trust.hint ?? 'Nothing was installed',
  });
}
