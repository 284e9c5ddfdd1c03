import fs from 'node:fs';
import { ArborError } from '@arbor/core/errors';
import { RpmErrorCode } from '../RpmError';
import { KEY_FILE_MAX_BYTES, RpmKeyring } from './RpmKeyring';
import type { RpmSignatureReport } from './SignatureReport';
import { verifyRpmSignature } from './verifyRpmSignature';

/** What `arbor rpm checksig --json` prints. */
export interface CheckSigResult {
  /** The trusted keys' primary key IDs. */
  keys: string[];
  packages: RpmSignatureReport[];
  /** True when every package's verdict is ok. */
  ok: boolean;
}

/**
 * `rpmkeys --checksig` with the given key files as the only trusted keys: every package is
 * checked (digests and signatures), and one that cannot be read is reported as bad with the
 * reason, so one damaged file does not hide the verdicts on the others.
 */
export async function checkRpmSignatures(packageFiles: readonly string[], keyFiles: readonly string[]): Promise<CheckSigResult> {
  const keyring = await RpmKeyring.read(keyFiles.map((file) => ({ name: file, bytes: readKeyFile(file) })));
  const packages: RpmSignatureReport[] = [];
  for (const file of packageFiles) {
    try {
      packages.push(await verifyRpmSignature(file, keyring));
    } catch (error) {
      if (!(error instanceof ArborError) || !error.code.startsWith('ARBOR_RPM_')) throw error;
      packages.push({ file, digests: [], signatures: [], verdict: 'bad', problem: `${error.message} [${error.code}]` });
    }
  }
  return { keys: keyring.primaryKeyIds, packages, ok: packages.every((report) => report.verdict === 'ok') };
}

function readKeyFile(file: string): Buffer {
  let handle: number;
  try {
    handle = fs.openSync(file, 'r');
  } catch (error) {
    throw new ArborError(RpmErrorCode.KEY_INVALID, `Key file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  try {
    // Read one byte past the limit, so a file too large is told from one that fits.
    const buffer = Buffer.alloc(KEY_FILE_MAX_BYTES + 1);
    let length = 0;
    for (let read; length < buffer.length && (read = fs.readSync(handle, buffer, length, buffer.length - length, null)) > 0;) length += read;
    return buffer.subarray(0, length);
  } finally {
    fs.closeSync(handle);
  }
}
