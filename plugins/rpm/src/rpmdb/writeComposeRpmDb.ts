import { openRpm, type OpenedRpm } from '../readRpmHeaders';
import { Tag } from '../RpmTag';
import { InstallTag, isBigEndianArch, transactionColor } from './InstalledHeader';
import { RpmDatabase, type RpmDbEntry } from './RpmDatabase';
import { rpmDbEntry } from './rpmDbEntry';

export interface ComposeRpmDbOptions {
  /** The clock the transaction reads; SOURCE_DATE_EPOCH from the environment when omitted. */
  sourceDateEpoch?: number;
  /** The architecture composed for, when no package names one (all noarch). */
  fallbackArch?: string;
}

/**
 * Writes the rpmdb of a composed tree: every package installed into it, in install order, as
 * one rpm transaction would have recorded them.
 *
 * The transaction's time must not make two composes of the same inputs differ (ARCHITECTURE.md
 * §6, reproducible), so it is SOURCE_DATE_EPOCH when set, else the newest BUILDTIME of the
 * packages. rpm itself does the same with SOURCE_DATE_EPOCH (lib/rpmts.c): INSTALLTID is that
 * time and each package's INSTALLTIME is one second after the one before.
 */
export async function writeComposeRpmDb(tree: string, packageFiles: readonly string[], options: ComposeRpmDbOptions = {}): Promise<number> {
  const survey = await surveyPackages(packageFiles);
  const clock = options.sourceDateEpoch ?? sourceDateEpoch() ?? survey.newestBuildTime;
  const arch = survey.arch ?? options.fallbackArch ?? hostArch();
  const color = transactionColor(arch);
  const bigEndian = isBigEndianArch(arch);
  await RpmDatabase.edit(tree, async (db) => {
    for (const [i, file] of packageFiles.entries()) {
      const entry = await withHeaders(file, (rpm): RpmDbEntry => rpmDbEntry(rpm, { tid: clock, installTime: clock + i, color, bigEndian }, file));
      db.add(entry);
    }
  }, { fresh: true });
  return packageFiles.length;
}

function sourceDateEpoch(): number | undefined {
  const value = process.env.SOURCE_DATE_EPOCH;
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** The newest BUILDTIME, and the first architecture other than noarch, among the packages. */
async function surveyPackages(files: readonly string[]): Promise<{ newestBuildTime: number; arch?: string }> {
  let newestBuildTime = 0;
  let arch: string | undefined;
  for (const file of files) {
    await withHeaders(file, (rpm) => {
      newestBuildTime = Math.max(newestBuildTime, rpm.header.number(InstallTag.BUILDTIME) ?? 0);
      const packageArch = rpm.header.string(Tag.ARCH);
      if (!arch && packageArch && packageArch !== 'noarch') arch = packageArch;
    });
  }
  return { newestBuildTime, arch };
}

async function withHeaders<T>(file: string, read: (rpm: OpenedRpm) => T): Promise<T> {
  const rpm = await openRpm(file);
  try {
    return read(rpm);
  } finally {
    rpm.close();
  }
}

/** rpm's name for this machine's architecture. */
function hostArch(): string {
  const names: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', ppc64: 'ppc64le' };
  return names[process.arch] ?? process.arch;
}
