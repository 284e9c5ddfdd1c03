import { ArborError } from '@arbor/core/errors';
import { RpmErrorCode } from '../RpmError';
import { readFileList, type RpmFileList } from '../RpmFileList';
import { HEADER_MAGIC, RpmHeader } from '../RpmHeader';
import { formatNevra, readNevra } from '../RpmNevra';
import { RpmDatabase } from '../rpmdb/RpmDatabase';
import { resolverRecord, type ResolverRecord } from './ResolverRecord';

/** The repo name installed packages carry in resolver records (dnf calls it `@System`). */
export const INSTALLED_REPO = '@System';

/** A package a tree's rpmdb holds, with what layering needs of it. */
export interface InstalledRpm {
  hnum: number;
  name: string;
  nevra: string;
  header: RpmHeader;
  fileList: RpmFileList;
  /** As the resolver reads it, every file listed (file dependencies resolve against them). */
  record: ResolverRecord;
}

/**
 * The packages installed in a tree, read from its rpmdb (usr/lib/sysimage/rpm/rpmdb.sqlite).
 * A stored blob is a header without its 8-byte magic (rpm's headerExport), so the magic is
 * put back and the header parsed like a package's, region first, then the tags rpm added.
 */
export function readInstalledRpms(tree: string): InstalledRpm[] {
  return RpmDatabase.readBlobs(tree).map(({ hnum, blob }) => {
    const fail = (message: string) => new ArborError(RpmErrorCode.HEADER_INVALID, `The tree's rpmdb package ${hnum} does not parse: ${message}`);
    const header = RpmHeader.parse(Buffer.concat([HEADER_MAGIC, blob]), 'installed', fail);
    const fileList = readFileList(header, fail);
    const nevra = formatNevra(readNevra(header));
    const record = resolverRecord(header, { repo: INSTALLED_REPO, location: '' }, fileList.files.map((file) => file.path));
    return { hnum, name: record.name, nevra, header, fileList, record };
  });
}
