import type { RpmHeader } from './RpmHeader';
import { RpmSense, Tag } from './RpmTag';

/**
 * One dependency as the header stores it: parallel NAME, FLAGS and VERSION arrays. Rich
 * (boolean) dependencies such as `(foo if bar)` are kept exactly as written, in `name`.
 */
export interface RpmDependency {
  name: string;
  /** `<`, `<=`, `=`, `>=` or `>` when versioned. */
  operator?: string;
  /** `[epoch:]version[-release]` as written. */
  version?: string;
  /** What the dependency is for beyond plain install: `pre`, `post`, `interp`, `rpmlib`... */
  qualifiers?: string[];
  /** The raw RPMSENSE bits. */
  flags: number;
}

/** The dependency kinds `arbor rpm info` prints, with the tags that hold each. */
export const DependencyKinds = {
  requires: [Tag.REQUIRENAME, Tag.REQUIREFLAGS, Tag.REQUIREVERSION],
  provides: [Tag.PROVIDENAME, Tag.PROVIDEFLAGS, Tag.PROVIDEVERSION],
  conflicts: [Tag.CONFLICTNAME, Tag.CONFLICTFLAGS, Tag.CONFLICTVERSION],
  obsoletes: [Tag.OBSOLETENAME, Tag.OBSOLETEFLAGS, Tag.OBSOLETEVERSION],
  recommends: [Tag.RECOMMENDNAME, Tag.RECOMMENDFLAGS, Tag.RECOMMENDVERSION],
  suggests: [Tag.SUGGESTNAME, Tag.SUGGESTFLAGS, Tag.SUGGESTVERSION],
  supplements: [Tag.SUPPLEMENTNAME, Tag.SUPPLEMENTFLAGS, Tag.SUPPLEMENTVERSION],
  enhances: [Tag.ENHANCENAME, Tag.ENHANCEFLAGS, Tag.ENHANCEVERSION],
} as const;

export type DependencyKind = keyof typeof DependencyKinds;

const QUALIFIERS: Array<[number, string]> = [
  [RpmSense.PRETRANS, 'pretrans'],
  [RpmSense.SCRIPT_PRE, 'pre'],
  [RpmSense.SCRIPT_POST, 'post'],
  [RpmSense.SCRIPT_PREUN, 'preun'],
  [RpmSense.SCRIPT_POSTUN, 'postun'],
  [RpmSense.POSTTRANS, 'posttrans'],
  [RpmSense.PREUNTRANS, 'preuntrans'],
  [RpmSense.POSTUNTRANS, 'postuntrans'],
  [RpmSense.SCRIPT_VERIFY, 'verify'],
  [RpmSense.INTERP, 'interp'],
  [RpmSense.RPMLIB, 'rpmlib'],
  [RpmSense.CONFIG, 'config'],
  [RpmSense.MISSINGOK, 'missingok'],
  [RpmSense.META, 'meta'],
];

export function readDependencies(header: RpmHeader, kind: DependencyKind): RpmDependency[] {
  const [nameTag, flagsTag, versionTag] = DependencyKinds[kind];
  const names = header.strings(nameTag) ?? [];
  const flags = header.numbers(flagsTag) ?? [];
  const versions = header.strings(versionTag) ?? [];
  return names.map((name, i) => dependency(name, flags[i] ?? 0, versions[i] ?? ''));
}

export function dependency(name: string, flags: number, version: string): RpmDependency {
  const dep: RpmDependency = { name, flags };
  const operator = senseOperator(flags);
  if (operator && version) {
    dep.operator = operator;
    dep.version = version;
  }
  const qualifiers = QUALIFIERS.filter(([bit]) => flags & bit).map(([, word]) => word);
  // Legacy PreReq: without a more specific scriptlet bit it means "needed by %pre and %post".
  if (flags & RpmSense.PREREQ && qualifiers.length === 0) qualifiers.push('prereq');
  if (qualifiers.length) dep.qualifiers = qualifiers;
  return dep;
}

/** `name op version`, the way `rpm -q --requires` prints a dependency. */
export function formatDependency(dep: RpmDependency): string {
  return dep.operator ? `${dep.name} ${dep.operator} ${dep.version}` : dep.name;
}

function senseOperator(flags: number): string | undefined {
  const less = flags & RpmSense.LESS;
  const greater = flags & RpmSense.GREATER;
  const equal = flags & RpmSense.EQUAL;
  if (less && equal) return '<=';
  if (greater && equal) return '>=';
  if (less) return '<';
  if (greater) return '>';
  if (equal) return '=';
  return undefined;
}
