import { openRpm } from '../readRpmHeaders';
import { isBigEndianArch, transactionColor } from '../rpmdb/InstalledHeader';
import { RpmDatabase } from '../rpmdb/RpmDatabase';
import { rpmDbEntry } from '../rpmdb/rpmDbEntry';

export interface LayeredRpmDbChange {
  /** hnums of the packages taken out (removed, or replaced). */
  remove: number[];
  /** Package files installed, in install order. */
  add: string[];
  /** The tree's architecture, for the install color and the byte order of index keys. */
  arch: string;
}

/**
 * Records a layering transaction in the tree's rpmdb, as rpm's erase and install elements
 * would: headers of packages taken out are deleted with their index rows, newcomers are added
 * with the install-time tags. RpmDatabase.edit works on a copy and renames it over the
 * database, so the store object a hardlink checkout shares is never written. The transaction
 * time is SOURCE_DATE_EPOCH when set (as rpm reads it), else now.
 */
export async function recordLayeredRpmDb(tree: string, change: LayeredRpmDbChange): Promise<void> {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const tid = epoch && /^\d+$/.test(epoch) ? Number(epoch) : Math.floor(Date.now() / 1000);
  const color = transactionColor(change.arch);
  const bigEndian = isBigEndianArch(change.arch);
  await RpmDatabase.edit(tree, async (db) => {
    for (const hnum of change.remove) db.remove(hnum);
    for (const [i, file] of change.add.entries()) {
      const rpm = await openRpm(file);
      try {
        db.add(rpmDbEntry(rpm, { tid, installTime: tid + i, color, bigEndian }, file));
      } finally {
        rpm.close();
      }
    }
  });
}
