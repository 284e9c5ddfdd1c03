import fs from 'node:fs';
import path from 'node:path';
import { ArborError, BootFilesystem, blsEntry, entrySetOf, replaceEntrySet, type BootloaderRequest, type EntrySetResult } from '@arbor/core';
import { sameInode } from '@arbor/core/sysroot';
import { LoaderConf } from './LoaderConf';
import { SystemdBootErrorCode } from './SystemdBootErrorCode';

/** Our entries' names start with this; loader.conf's `default` is ours while it does too. */
export const ENTRY_PREFIX = 'arbor-';
export const LOADER_CONF = 'loader/loader.conf';
export const ENTRIES_DIR = 'loader/entries';
/** Where kernels go on the partition: the same `/arbor/<stateroot>-<bootcsum>/` paths as in /boot. */
export const KERNELS_DIR = 'arbor';

export interface SystemdBootWrite extends EntrySetResult {
  /** The partition holding entries and kernels: the ESP, or XBOOTLDR. */
  entriesRoot: string;
  /** What loader.conf's `default` now says, or undefined when the admin owns it. */
  default?: string;
}

/**
 * Writes the boot order for systemd-boot (docs/bootloaders/systemd-boot.md): one BLS entry per
 * deployment in `loader/entries`, the kernels and initramfs images they name copied under
 * `/arbor/<stateroot>-<bootcsum>/`, all on the ESP or on XBOOTLDR, and loader.conf's
 * `default` pointed at the new default entry unless the admin set their own. The switch is
 * by renames alone (replaceEntrySet), since the ESP is FAT.
 */
export function writeSystemdBoot(request: BootloaderRequest, settings: { tries?: number; xbootldr?: string }): SystemdBootWrite {
  const esp = openPartition(request.esp, 'ESP', '--esp PATH on `arbor sysroot init`, or `esp` in the config');
  const target = settings.xbootldr
    ? openPartition(path.resolve(request.sysroot, settings.xbootldr), 'XBOOTLDR', 'the systemd-boot option `xbootldr`')
    : esp;
  const count = request.deployments.length;
  const entries = request.deployments.map((deployment, index) => ({ sortKey: count - index, entry: blsEntry(deployment, count - index) }));
  const files = request.deployments.flatMap((deployment) =>
    [deployment.linux, deployment.initrd].filter((file): file is string => Boolean(file)).map((file) => ({ target: file, source: path.join(request.bootDir, file) })),
  );
  // A write of loader.conf killed before its rename left `.loader.conf.PID.tmp` in loader/,
  // where replaceEntrySet's sweep of the entries directory does not look.
  const sweptTemps = esp.removeStaleTemps(path.posix.dirname(LOADER_CONF));
  const conf = LoaderConf.parse(esp.readText(LOADER_CONF), path.join(request.esp, LOADER_CONF));
  const ours = conf.defaultIsOurs(ENTRY_PREFIX) && count > 0;
  // The default names the live set: `arbor-<set>-<K>.conf`, or `arbor-<set>-*` with boot counting.
  const liveSetId = ours && conf.default ? entrySetOf(conf.default.replace(/-\*$/, '-0.conf'), ENTRY_PREFIX) : undefined;
  let chosen: string | undefined;
  const result = replaceEntrySet(target, {
    entriesDir: ENTRIES_DIR,
    prefix: ENTRY_PREFIX,
    entries,
    files,
    ...(liveSetId ? { liveSetId } : {}),
    ...(settings.tries !== undefined ? { tries: settings.tries } : {}),
    // When the partition is /boot itself, the core owns /boot/arbor and its cleanup.
    ...(sameInode(target.root, request.bootDir) ? {} : { collectUnder: KERNELS_DIR }),
    commit: ours
      ? (ids) => {
          chosen = defaultPattern(ids, settings.tries);
          esp.mkdirs(path.posix.dirname(LOADER_CONF));
          esp.writeDurable(LOADER_CONF, conf.withDefault(chosen));
          esp.sync();
        }
      : undefined,
  });
  return { ...result, removed: [...sweptTemps, ...result.removed], entriesRoot: target.root, ...(chosen ? { default: chosen } : {}) };
}

/**
 * The `default` for a new set. Without boot counting, the default entry's id exactly. With it,
 * a glob over the set (`arbor-<set>-*`): systemd-boot sorts an entry with no tries left after
 * the others, so when the new default fails its tries the glob picks the next deployment of
 * the same set, which is the automatic rollback boot counting is for.
 */
function defaultPattern(ids: string[], tries: number | undefined): string {
  const first = ids[0]!;
  if (tries === undefined) return first;
  return `${first.slice(0, first.lastIndexOf('-') + 1)}*`;
}

function openPartition(dir: string, label: string, hint: string): BootFilesystem {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    stat = undefined;
  }
  if (!stat?.isDirectory()) {
    throw new ArborError(SystemdBootErrorCode.PARTITION_MISSING, `The ${label} ${dir} does not exist or is not a directory`, {
      hint: `Mount the ${label} there, or name where it is mounted: ${hint}`,
    });
  }
  return new BootFilesystem(dir, label);
}
