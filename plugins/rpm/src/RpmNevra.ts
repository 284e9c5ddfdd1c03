import type { RpmHeader } from './RpmHeader';
import { Tag } from './RpmTag';

/** Name, epoch, version, release and arch. */
export interface RpmNevra {
  name: string;
  /** null when the package has no EPOCH tag (rpm prints "(none)"). */
  epoch: number | null;
  version: string;
  release: string;
  arch: string;
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
  const names = header.strings(Tag.OLDFILENAMES) ?? [];
  return names.length > 0 && names.every((name) => !name.includes('/'));
}
