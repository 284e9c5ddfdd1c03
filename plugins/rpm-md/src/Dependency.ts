import { compareEvr, formatEvr, parseEvr, type Evr } from '@arbor/plugin-rpm';

/** The comparison flags rpm-md writes on `<rpm:entry flags="...">`. */
export type DependencyFlag = 'EQ' | 'LT' | 'LE' | 'GT' | 'GE';

/** One rpm dependency: `name`, or `name OP [epoch:]version[-release]`. Rich deps keep `(…)` in name. */
export interface Dependency {
  name: string;
  flags?: DependencyFlag;
  evr?: Evr;
  /** `pre="1"`: a Requires(pre); it only orders installs, it is resolved like any require. */
  pre?: boolean;
}

const OPERATORS: Record<string, DependencyFlag> = { '=': 'EQ', '==': 'EQ', '<': 'LT', '<=': 'LE', '>': 'GT', '>=': 'GE' };
const SYMBOLS: Record<DependencyFlag, string> = { EQ: '=', LT: '<', LE: '<=', GT: '>', GE: '>=' };

/** True for rich (boolean) dependencies, which rpm-md stores as a name starting with `(`. */
export function isRich(dep: Dependency): boolean {
  return dep.name.startsWith('(');
}

/** Parses `name [op evr]` as users write it in treefiles and rich dependencies. */
export function parseDependency(text: string): Dependency {
  const match = /^\s*(\S+)\s*(<=|>=|==|=|<|>)\s*(\S+)\s*$/.exec(text);
  if (!match) return { name: text.trim() };
  return { name: match[1]!, flags: OPERATORS[match[2]!], evr: parseEvr(match[3]!) };
}

/** Renders a dependency the way libsolv and dnf print it: `glibc-common = 2.25-4`. */
export function formatDependency(dep: Dependency): string {
  if (!dep.flags || !dep.evr) return dep.name;
  return `${dep.name} ${SYMBOLS[dep.flags]} ${formatEvr(dep.evr)}`;
}

function has(flags: DependencyFlag, sense: 'LT' | 'GT' | 'EQ'): boolean {
  if (sense === 'EQ') return flags === 'EQ' || flags === 'LE' || flags === 'GE';
  return flags === sense || flags === (sense === 'LT' ? 'LE' : 'GE');
}

/**
 * Whether a provide satisfies a requirement of the same name: an unversioned side matches
 * anything; otherwise the two ranges must overlap (rpm's rpmdsCompare: compare the EVRs, then
 * look at which directions each side allows).
 */
export function rangesOverlap(provide: Dependency, require: Dependency): boolean {
  if (provide.name !== require.name) return false;
  if (!provide.flags || !require.flags || !provide.evr || !require.evr) return true;
  const sense = compareEvr(provide.evr, require.evr);
  if (sense < 0) return has(provide.flags, 'GT') || has(require.flags, 'LT');
  if (sense > 0) return has(provide.flags, 'LT') || has(require.flags, 'GT');
  return (has(provide.flags, 'EQ') && has(require.flags, 'EQ')) ||
    (has(provide.flags, 'LT') && has(require.flags, 'LT')) ||
    (has(provide.flags, 'GT') && has(require.flags, 'GT'));
}

/**
 * Whether a package's own EVR falls in a dependency's range; obsoletes match on the package's
 * name and EVR, never on its provides (rpm's and libsolv's default).
 */
export function evrInRange(evr: Evr, dep: Dependency): boolean {
  if (!dep.flags || !dep.evr) return true;
  return rangesOverlap({ name: dep.name, flags: 'EQ', evr }, dep);
}
