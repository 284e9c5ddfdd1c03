import { PayloadVerifier } from './RpmDigest';
import { DependencyKinds, readDependencies, type DependencyKind, type RpmDependency } from './RpmDependency';
import { RpmErrorCode, rpmError } from './RpmError';
import { readFileList, fileFlagNames, type RpmFile } from './RpmFileList';
import type { RpmHeader } from './RpmHeader';
import { detectPayloadEncoding, PAYLOAD_MAGIC_LENGTH, type PayloadEncoding } from './PayloadDecompressor';
import { readScripts, readTriggers, type RpmScripts, type RpmTrigger } from './RpmScripts';
import { SigTag, Tag } from './RpmTag';
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

/** Name, epoch, version, release and arch. */
export interface RpmNevra {
  name: string;
  /** null when the package has no EPOCH tag (rpm prints "(none)"). */
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
}

/** What `arbor rpm info --json` prints (CLI.md). */
export interface RpmPackageInfo extends RpmNevra, Record<DependencyKind, RpmDependency[]> {
  summary: string | null;
  sourcePackage: boolean;
  /** The PAYLOADCOMPRESSOR tag; null when absent (rpm prints "(none)"). */
  payloadCompressor: string | null;
  /** What the payload's magic bytes say it is, whatever the tag claims. */
  payloadEncoding: PayloadEncoding | 'unknown';
  /** `cpio` or, for RPM v6 packages, `cpio` with stripped (07070X) entries. */
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
    let head = Buffer.alloc(0);
    for await (const chunk of rpm.reader.rest()) {
      if (head.length < PAYLOAD_MAGIC_LENGTH) head = Buffer.concat([head, chunk.subarray(0, PAYLOAD_MAGIC_LENGTH - head.length)]);
      verifier.update(chunk);
    }
    verifier.finish();
    const compressor = header.string(Tag.PAYLOADCOMPRESSOR) ?? null;
    const info: RpmPackageInfo = {
      ...readNevra(header),
      summary: header.string(Tag.SUMMARY) ?? null,
      sourcePackage: isSourcePackage(header),
      payloadCompressor: compressor,
      payloadEncoding: detectPayloadEncoding(head, compressor ?? undefined) ?? 'unknown',
      payloadFormat: header.string(Tag.PAYLOADFORMAT) ?? null,
      verified: [...headerDigestNames(signature), ...verifier.checks],
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

export function readNevra(header: RpmHeader): RpmNevra {
  return {
    name: header.string(Tag.NAME) ?? '',
    epoch: header.number(Tag.EPOCH) ?? null,
    version: header.string(Tag.VERSION) ?? '',
    release: header.string(Tag.RELEASE) ?? '',
    arch: header.string(Tag.ARCH) ?? '',
  };
}

/** `name-[epoch:]version-release.arch`, as rpm and dnf name a package in messages. */
export function formatNevra(nevra: RpmNevra): string {
  const epoch = nevra.epoch ? `${nevra.epoch}:` : '';
  return `${nevra.name}-${epoch}${nevra.version}-${nevra.release}.${nevra.arch}`;
}

/**
 * A source package has no SOURCERPM tag (rpm's headerIsSource). Packages with neither it nor
 * SOURCEPACKAGE are told apart as rpm's applyRetrofits does: a source package's files all sit
 * in one empty directory name.
 */
export function isSourcePackage(header: RpmHeader): boolean {
  if (header.has(Tag.SOURCERPM)) return false;
  if (header.has(Tag.SOURCEPACKAGE)) return true;
  const dirnames = header.strings(Tag.DIRNAMES);
  if (dirnames) return dirnames.length === 1 && dirnames[0] === '';
  return (header.strings(Tag.OLDFILENAMES) ?? []).every((name) => !name.startsWith('/'));
}

function dependencies(header: RpmHeader): Record<DependencyKind, RpmDependency[]> {
  const result = {} as Record<DependencyKind, RpmDependency[]>;
  for (const kind of Object.keys(DependencyKinds) as DependencyKind[]) result[kind] = readDependencies(header, kind);
  return result;
}

function headerDigestNames(signature: RpmHeader): string[] {
  const names: string[] = [];
  if (signature.has(SigTag.SHA256)) names.push('header SHA256');
  if (signature.has(SigTag.SHA1)) names.push('header SHA1');
  if (signature.has(SigTag.SHA3_256)) names.push('header SHA3-256');
  return names;
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
