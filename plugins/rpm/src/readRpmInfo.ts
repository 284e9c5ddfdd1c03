import { PayloadVerifier } from './RpmDigest';
import { DependencyKinds, readDependencies, type DependencyKind, type RpmDependency } from './RpmDependency';
import { RpmErrorCode, rpmError } from './RpmError';
import { readFileList, fileFlagNames, type RpmFile } from './RpmFileList';
import type { RpmHeader } from './RpmHeader';
import { detectPayloadEncoding, PAYLOAD_MAGIC_LENGTH, type PayloadEncoding } from './PayloadDecompressor';
import { readScripts, readTriggers, type RpmScripts, type RpmTrigger } from './RpmScripts';
import { Tag } from './RpmTag';
import { isSourcePackage, readNevra, type RpmNevra } from './RpmNevra';
import { openRpm } from './readRpmHeaders';

/** A file as `arbor rpm info` prints it. */
export interface RpmFileInfo {
  path: string;
  /** Full st_mode as rpm stores it (e.g. 33188 = 0100644). */
  mode: number;
  size: number;
  user: string;
  group: string;
  flags: string[];
  linkTo: string | null;
  caps: string | null;
  digest: string | null;
  mtime: number;
}

/** What `arbor rpm info --json` prints (docs/command-contract.md). */
export interface RpmPackageInfo extends RpmNevra, Record<DependencyKind, RpmDependency[]> {
  summary: string | null;
  sourcePackage: boolean;
  /** The PAYLOADCOMPRESSOR tag; null when absent (rpm prints "(none)"). */
  payloadCompressor: string | null;
  /** What the payload's magic bytes say it is, whatever the tag claims. */
  payloadEncoding: PayloadEncoding | 'unknown';
  /** The PAYLOADFORMAT tag: `cpio` (RPM v6 packages say so too; their entries are stripped). */
  payloadFormat: string | null;
  /** The digests that were checked and matched. */
  verified: string[];
  scripts: RpmScripts;
  triggers: RpmTrigger[];
  files: RpmFileInfo[];
}

/**
 * Reads a package's metadata and checks its header and payload digests in one streaming pass.
 * The payload is hashed but not decompressed, so this is fast even for large packages.
 */
export async function readRpmInfo(packageFile: string): Promise<RpmPackageInfo> {
  const rpm = await openRpm(packageFile);
  try {
    const fail = (message: string) => rpmError(RpmErrorCode.HEADER_INVALID, packageFile, message);
    const { header, signature } = rpm;
    const fileList = readFileList(header, fail);
    const verifier = new PayloadVerifier(signature, header, packageFile);
    const head = Buffer.from(await rpm.reader.peek(PAYLOAD_MAGIC_LENGTH));
    for await (const chunk of rpm.reader.rest()) verifier.update(chunk);
    verifier.finish();
    const compressor = header.string(Tag.PAYLOADCOMPRESSOR) ?? null;
    const info: RpmPackageInfo = {
      ...readNevra(header),
      summary: header.string(Tag.SUMMARY) ?? null,
      sourcePackage: isSourcePackage(header),
      payloadCompressor: compressor,
      payloadEncoding: detectPayloadEncoding(head, compressor ?? undefined) ?? 'unknown',
      payloadFormat: header.string(Tag.PAYLOADFORMAT) ?? null,
      verified: [...rpm.headerDigests, ...verifier.checks],
      ...dependencies(header),
      scripts: readScripts(header),
      triggers: readTriggers(header),
      files: fileList.files.map(fileInfo),
    };
    return info;
  } finally {
    rpm.close();
  }
}

function dependencies(header: RpmHeader): Record<DependencyKind, RpmDependency[]> {
  const result = {} as Record<DependencyKind, RpmDependency[]>;
  for (const kind of Object.keys(DependencyKinds) as DependencyKind[]) result[kind] = readDependencies(header, kind);
  return result;
}

function fileInfo(file: RpmFile): RpmFileInfo {
  return {
    path: file.path,
    mode: file.mode,
    size: file.size,
    user: file.user,
    group: file.group,
    flags: fileFlagNames(file.flags),
    linkTo: file.linkTo || null,
    caps: file.caps || null,
    digest: file.digest || null,
    mtime: file.mtime,
  };
}
