import { fileTypeName, S_IFLNK, S_IFMT, S_IFREG, type RpmFile } from './RpmFileList';

/** What one package put (or declared, for %ghost) at a path. */
export interface InstalledPath {
  /** The owning package's NEVRA. */
  package: string;
  mode: number;
  size: number;
  user: string;
  group: string;
  linkTo: string;
  digest: string;
  digestAlgorithm: number;
  ghost: boolean;
}

/** The key under which the RPM plugin keeps its state in a compose's shared `state` object. */
export const STATE_KEY = 'arbor:rpm';

/**
 * What has been installed into one tree so far: every path with the package that put it
 * there, so a later package shipping the same path can be checked against it. Passed from
 * package to package (the `install` hook's `request.state` holds it under STATE_KEY).
 */
export class RpmInstallState {
  readonly paths = new Map<string, InstalledPath>();
  /** NEVRAs in install order. */
  readonly packages: string[] = [];

  /** The state kept in a compose's shared state object, created on first use. */
  static in(shared: Record<string, unknown>): RpmInstallState {
    const existing = shared[STATE_KEY];
    if (existing instanceof RpmInstallState) return existing;
    const state = new RpmInstallState();
    shared[STATE_KEY] = state;
    return state;
  }

  /** Which package installed `path` (absolute, as rpm names it), if any. */
  ownerOf(path: string): string | undefined {
    return this.paths.get(path)?.package;
  }
}

export function installedPath(file: RpmFile, nevra: string, digestAlgorithm: number, ghost: boolean): InstalledPath {
  return {
    package: nevra,
    mode: file.mode,
    size: file.size,
    user: file.user,
    group: file.group,
    linkTo: file.linkTo,
    digest: file.digest,
    digestAlgorithm,
    ghost,
  };
}

/**
 * Why two packages' entries for one path conflict, or undefined when they are the same file.
 * Follows rpm's rpmfilesCompare: ghosts never conflict; the mode must match (except between
 * two symlinks); size, owner and group must match; then the link target or the content digest.
 */
export function conflictBetween(previous: InstalledPath, next: InstalledPath): string | undefined {
  if (previous.ghost || next.ghost) return undefined;
  const type = previous.mode & S_IFMT;
  const bothLinks = type === S_IFLNK && (next.mode & S_IFMT) === S_IFLNK;
  if (!bothLinks && previous.mode !== next.mode) {
    if (type !== (next.mode & S_IFMT)) return `a ${fileTypeName(previous.mode)} in one and a ${fileTypeName(next.mode)} in the other`;
    return `mode ${octal(previous.mode)} vs ${octal(next.mode)}`;
  }
  if ((type === S_IFREG || type === S_IFLNK) && previous.size !== next.size) return `size ${previous.size} vs ${next.size}`;
  if (previous.user !== next.user || previous.group !== next.group) {
    return `owner ${previous.user}:${previous.group} vs ${next.user}:${next.group}`;
  }
  if (type === S_IFLNK && previous.linkTo !== next.linkTo) return `symlink to ${previous.linkTo} vs ${next.linkTo}`;
  if (type === S_IFREG && (previous.digest !== next.digest || previous.digestAlgorithm !== next.digestAlgorithm)) {
    return 'different content';
  }
  return undefined;
}

function octal(mode: number): string {
  return `0${mode.toString(8)}`;
}
