import path from 'node:path';
// Core's modules are imported one by one: its index loads the whole kernel (about 600 ms here),
// which `arbor rpm info` and every compose worker would pay before reading a byte.
import { ArborError } from '@arbor/core/errors';

/**
 * Error codes of the RPM reader and installer. They are part of the CLI contract (scripts
 * match on them), so a code is never renamed. Kept beside the plugin, which owns the format.
 */
export const RpmErrorCode = {
  /** The file does not start with the RPM lead magic (0xEDABEEDB). */
  NOT_AN_RPM: 'ARBOR_RPM_NOT_AN_RPM',
  /** A header whose structure is broken: bad magic, an index entry out of bounds, a bad region. */
  HEADER_INVALID: 'ARBOR_RPM_HEADER_INVALID',
  /** The file ends before the lead, a header or the payload the headers describe. */
  TRUNCATED: 'ARBOR_RPM_TRUNCATED',
  /** A header, payload or file digest that does not match what the package records. */
  DIGEST_MISMATCH: 'ARBOR_RPM_DIGEST_MISMATCH',
  /** A digest algorithm or payload compressor or format Arbor does not read. */
  UNSUPPORTED: 'ARBOR_RPM_UNSUPPORTED',
  /** A payload that does not decompress, or whose cpio archive disagrees with the header. */
  PAYLOAD_INVALID: 'ARBOR_RPM_PAYLOAD_INVALID',
  /** A path with `..`, or one that would go through a symlink or a non-directory in the tree. */
  PATH_UNSAFE: 'ARBOR_RPM_PATH_UNSAFE',
  /** A device node, fifo or socket: the store holds none, so a package may not create one. */
  SPECIAL_FILE: 'ARBOR_RPM_SPECIAL_FILE',
  /** Two packages ship one path with different type, mode, owner, size, target or content. */
  FILE_CONFLICT: 'ARBOR_RPM_FILE_CONFLICT',
  /** A decompressor program that is needed and not on PATH. */
  TOOL_MISSING: 'ARBOR_RPM_TOOL_MISSING',
  /** A package that must be signed (gpgcheck=1, `rpm checksig`) and carries no OpenPGP signature. */
  SIGNATURE_MISSING: 'ARBOR_RPM_SIGNATURE_MISSING',
  /** An OpenPGP signature that does not verify with the key it names, or a package whose digests do not match. */
  SIGNATURE_BAD: 'ARBOR_RPM_SIGNATURE_BAD',
  /** Signed only by keys that are not among the trusted ones (the repo's gpgkey=, `--key`). */
  SIGNATURE_UNKNOWN_KEY: 'ARBOR_RPM_SIGNATURE_UNKNOWN_KEY',
  /** Signed only in a way Arbor cannot check: a V3 signature of a DSA key, or a public-key algorithm openpgp.js lacks (ML-DSA). */
  SIGNATURE_UNSUPPORTED: 'ARBOR_RPM_SIGNATURE_UNSUPPORTED',
  /** A key file (gpgkey=, `--key`) that cannot be read, is too large, or holds no OpenPGP public key. */
  KEY_INVALID: 'ARBOR_RPM_KEY_INVALID',
} as const;

export type RpmErrorCodeValue = (typeof RpmErrorCode)[keyof typeof RpmErrorCode];

/** An ArborError whose message starts with the package file's name, so every error names it. */
export function rpmError(
  code: RpmErrorCodeValue,
  packageFile: string,
  message: string,
  options: { hint?: string; cause?: unknown } = {},
): ArborError {
  return new ArborError(code, `${path.basename(packageFile)}: ${message}`, options);
}
