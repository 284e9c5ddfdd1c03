import { rpmError, RpmErrorCode } from '../RpmError';
import { formatNevra, readNevra } from '../RpmNevra';
import type { RpmHeaders } from '../readRpmHeaders';
import { installedHeader, InstallTag, type InstallRecord } from './InstalledHeader';
import type { RpmDbEntry } from './RpmDatabase';
import { indexRows, RPMDB_INDEXES, type IndexRow } from './RpmDbIndex';

export interface RpmDbEntryOptions extends InstallRecord {
  /** Whether the target stores integers big-endian (s390x, ppc64): rpm's index keys are native. */
  bigEndian: boolean;
}

/**
 * Everything an rpmdb stores for one installed package: the header blob with what rpm adds
 * at install time, and the package's rows in each index table. `packageFile` names the package
 * in errors.
 */
export function rpmDbEntry(rpm: RpmHeaders, options: RpmDbEntryOptions, packageFile: string): RpmDbEntry {
  const fail = (message: string) => rpmError(RpmErrorCode.UNSUPPORTED, packageFile, `cannot be recorded in the rpmdb: ${message}`);
  const { header, signature } = rpm;
  const installed = installedHeader(header, signature, options, fail);
  const sigmd5 = installed.added.get(InstallTag.SIGMD5)?.data ?? header.binary(InstallTag.SIGMD5);
  const sha1 = installed.added.get(InstallTag.SHA1HEADER)?.data ?? header.binary(InstallTag.SHA1HEADER);
  const rows = new Map<string, IndexRow[]>();
  for (const index of RPMDB_INDEXES) {
    rows.set(index.table, indexRows(index, header, {
      tid: options.tid,
      sigmd5,
      sha1header: sha1 ? sha1.toString('utf8').replace(/\0[^]*$/, '') : undefined,
      bigEndian: options.bigEndian,
    }));
  }
  return { nevra: formatNevra(readNevra(header)), blob: installed.blob, rows };
}
