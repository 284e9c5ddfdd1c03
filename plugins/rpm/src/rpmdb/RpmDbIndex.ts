import type { RpmHeader } from '../RpmHeader';
import { RpmSense, Tag } from '../RpmTag';
import { InstallTag } from './InstalledHeader';
import { richDependencyNames } from './richDependencyNames';

/**
 * The secondary indexes of an rpmdb, in the order rpm opens them (lib/rpmdb.c, dbiTags). Each
 * is a table named after its tag (rpmTagGetName without the RPMTAG_ prefix, capitalised) with
 * rows (key, hnum, idx): the key, the package's row in Packages, and the value's position in
 * the tag's array. String tags have TEXT keys and an index on key; array tags an index on
 * hnum (lib/backend/sqlite.c, init_table and init_index).
 */
export interface RpmDbIndex {
  table: string;
  tag: number;
  keyType: 'TEXT' | 'BLOB';
  /** Whether the tag holds an array: rpm then indexes hnum too. */
  array: boolean;
}

const index = (table: string, tag: number, keyType: 'TEXT' | 'BLOB', array: boolean): RpmDbIndex => ({ table, tag, keyType, array });

const FILETRIGGERNAME = 5069;
const FILETRIGGERINDEX = 5070;
const TRANSFILETRIGGERNAME = 5079;
const TRANSFILETRIGGERINDEX = 5080;
const GROUP = 1016;

export const RPMDB_INDEXES: readonly RpmDbIndex[] = [
  index('Name', Tag.NAME, 'TEXT', false),
  index('Basenames', Tag.BASENAMES, 'TEXT', true),
  index('Group', GROUP, 'TEXT', false),
  index('Requirename', Tag.REQUIRENAME, 'TEXT', true),
  index('Providename', Tag.PROVIDENAME, 'TEXT', true),
  index('Conflictname', Tag.CONFLICTNAME, 'TEXT', true),
  index('Obsoletename', Tag.OBSOLETENAME, 'TEXT', true),
  index('Triggername', Tag.TRIGGERNAME, 'TEXT', true),
  index('Dirnames', Tag.DIRNAMES, 'TEXT', true),
  index('Installtid', InstallTag.INSTALLTID, 'BLOB', false),
  index('Sigmd5', InstallTag.SIGMD5, 'BLOB', false),
  index('Sha1header', InstallTag.SHA1HEADER, 'TEXT', false),
  index('Filetriggername', FILETRIGGERNAME, 'TEXT', true),
  index('Transfiletriggername', TRANSFILETRIGGERNAME, 'TEXT', true),
  index('Recommendname', Tag.RECOMMENDNAME, 'TEXT', true),
  index('Suggestname', Tag.SUGGESTNAME, 'TEXT', true),
  index('Supplementname', Tag.SUPPLEMENTNAME, 'TEXT', true),
  index('Enhancename', Tag.ENHANCENAME, 'TEXT', true),
];

/** One row of an index table. */
export interface IndexRow {
  key: string | Buffer;
  idx: number;
}

/** Dependency tags whose rich entries also index the names inside them. */
const RICH_TAGS = new Set<number>([Tag.REQUIRENAME, Tag.CONFLICTNAME, Tag.SUGGESTNAME, Tag.SUPPLEMENTNAME, Tag.RECOMMENDNAME, Tag.ENHANCENAME]);

/** rpmds.h isTransientReq: requirements only the install needs (rpmlib(), %pre/%post, pretrans...). */
const INSTALL_ONLY = RpmSense.SCRIPT_PRE | RpmSense.SCRIPT_POST | RpmSense.RPMLIB | RpmSense.KEYRING | RpmSense.PRETRANS | RpmSense.POSTTRANS;
const ERASE_ONLY = RpmSense.SCRIPT_PREUN | RpmSense.SCRIPT_POSTUN;
function isTransientRequire(flags: number): boolean {
  return (flags & INSTALL_ONLY) !== 0 && (flags & ERASE_ONLY) === 0 && (flags & RpmSense.META) === 0;
}

/** The values an installed header adds to the indexes besides the package's own tags. */
export interface InstalledValues {
  tid: number;
  /** The 16-byte SIGMD5, when the package has one. */
  sigmd5?: Buffer;
  sha1header?: string;
  /** Whether integer keys are stored big-endian: rpm writes them in the host's order. */
  bigEndian: boolean;
}

/**
 * The rows one package adds to `index`, in the order rpm's tag2index writes them: every value
 * of the tag (skipping transient requires and repeated trigger names), rich dependencies
 * followed by the names inside them, file trigger names with their trigger's number as idx.
 */
export function indexRows(index: RpmDbIndex, header: RpmHeader, values: InstalledValues): IndexRow[] {
  switch (index.tag) {
    case InstallTag.INSTALLTID: {
      const key = Buffer.alloc(4);
      if (values.bigEndian) key.writeUInt32BE(values.tid >>> 0);
      else key.writeUInt32LE(values.tid >>> 0);
      return [{ key, idx: 0 }];
    }
    case InstallTag.SIGMD5:
      return values.sigmd5 ? [{ key: values.sigmd5, idx: 0 }] : [];
    case InstallTag.SHA1HEADER:
      return values.sha1header ? [{ key: values.sha1header, idx: 0 }] : [];
    case GROUP:
      // rpm indexes a package without a Group as "Unknown"; an I18N group by its C locale text.
      return [{ key: header.string(GROUP) ?? 'Unknown', idx: 0 }];
    default:
      break;
  }
  const strings = header.strings(index.tag);
  if (!strings?.length) return [];
  const rows: IndexRow[] = [];
  const requireFlags = index.tag === Tag.REQUIRENAME ? header.numbers(Tag.REQUIREFLAGS) ?? [] : [];
  const triggerIndexes = index.tag === FILETRIGGERNAME ? header.numbers(FILETRIGGERINDEX) ?? []
    : index.tag === TRANSFILETRIGGERNAME ? header.numbers(TRANSFILETRIGGERINDEX) ?? [] : undefined;
  strings.forEach((key, i) => {
    if (index.tag === Tag.REQUIRENAME && isTransientRequire(requireFlags[i] ?? 0)) return;
    if (index.tag === Tag.TRIGGERNAME && strings.indexOf(key) < i) return;
    const idx = triggerIndexes ? triggerIndexes[i] ?? 0 : i;
    rows.push({ key, idx });
    if (key.startsWith('(') && RICH_TAGS.has(index.tag)) {
      for (const name of richDependencyNames(key)) rows.push({ key: name, idx });
    }
  });
  return rows;
}
