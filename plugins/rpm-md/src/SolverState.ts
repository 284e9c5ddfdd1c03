import { evrInRange, formatDependency, isRich, type Dependency } from './Dependency';
import type { ProviderIndex } from './ProviderIndex';
import { parseRichDependency, type RichNode } from './RichDependency';
import { nevra, type RpmPackage } from './RpmPackage';

/**
 * The candidate install set during the search: at most one package per name (rpm and libsolv
 * treat two versions of a name as mutually exclusive unless multiversion, which a fresh compose
 * never needs), with the checks that keep it consistent: Conflicts and Obsoletes in both
 * directions. Additions go on a trail, so backtracking undoes them instead of copying the set
 * at every choice.
 */
export class SolverState {
  readonly installed = new Map<string, RpmPackage>();
  private readonly trail: RpmPackage[] = [];
  /** Installed packages that have Conflicts or Obsoletes: the only ones that can refuse a newcomer. */
  private readonly constraining: RpmPackage[] = [];

  constructor(private readonly index: ProviderIndex) {}

  has(pkg: RpmPackage): boolean {
    return this.installed.get(pkg.name) === pkg;
  }

  add(pkg: RpmPackage): void {
    this.installed.set(pkg.name, pkg);
    this.trail.push(pkg);
    if (pkg.conflicts.length || pkg.obsoletes.length) this.constraining.push(pkg);
  }

  /** A point to come back to with `undo`. */
  mark(): number {
    return this.trail.length;
  }

  /** Removes everything added since `mark`, newest first. */
  undo(mark: number): void {
    while (this.trail.length > mark) {
      const pkg = this.trail.pop()!;
      this.installed.delete(pkg.name);
      if (this.constraining[this.constraining.length - 1] === pkg) this.constraining.pop();
    }
  }

  /** Why `pkg` cannot join the set, in libsolv's words, or undefined when it can. */
  blocker(pkg: RpmPackage): string | undefined {
    const same = this.installed.get(pkg.name);
    if (same && same !== pkg) return `cannot install both ${nevra(pkg)} and ${nevra(same)}`;
    for (const conflict of pkg.conflicts) {
      if (isRich(conflict)) {
        const node = parseRichDependency(conflict.name);
        // `(A unless B)` is met by adding B, so the resolver treats it as a requirement instead.
        if (!isUnless(node) && this.conflictHolds(node, pkg)) return `package ${nevra(pkg)} conflicts with ${conflict.name}`;
        continue;
      }
      const holder = this.index.whatProvides(conflict).find((other) => other !== pkg && this.has(other));
      if (holder) return `package ${nevra(pkg)} conflicts with ${formatDependency(conflict)} provided by ${nevra(holder)}`;
    }
    for (const obsolete of pkg.obsoletes) {
      const victim = this.installed.get(obsolete.name);
      if (victim && victim !== pkg && evrInRange(victim, obsolete)) {
        return `package ${nevra(pkg)} obsoletes ${formatDependency(obsolete)} provided by ${nevra(victim)}`;
      }
    }
    for (const other of this.constraining) {
      if (other === pkg) continue;
      for (const conflict of other.conflicts) {
        const holds = isRich(conflict)
          ? !isUnless(parseRichDependency(conflict.name)) && this.conflictHolds(parseRichDependency(conflict.name), other, pkg)
          : this.index.whatProvides(conflict).includes(pkg);
        if (holds) {
          return `package ${nevra(other)} conflicts with ${isRich(conflict) ? conflict.name : formatDependency(conflict)} provided by ${nevra(pkg)}`;
        }
      }
      for (const obsolete of other.obsoletes) {
        if (obsolete.name === pkg.name && evrInRange(pkg, obsolete)) {
          return `package ${nevra(other)} obsoletes ${formatDependency(obsolete)} provided by ${nevra(pkg)}`;
        }
      }
    }
    return undefined;
  }

  /** Whether a dependency is met by the set (a provider is in it). */
  satisfies(dep: Dependency): boolean {
    return this.index.whatProvides(dep).some((pkg) => this.has(pkg));
  }

  /**
   * Truth of a rich expression as a requirement (rpm: `(A if B)` is "A or not B",
   * `(A unless B)` is "A or B"; `with`/`without` need one package on both sides).
   */
  holds(node: RichNode, exclude?: RpmPackage, extra?: RpmPackage): boolean {
    return this.evaluate(node, (pkg) => (pkg !== exclude && this.has(pkg)) || pkg === extra, true);
  }

  /**
   * Truth of a rich expression as a conflict. rpm documents `Conflicts: (A if B)` as
   * "conflicts with A when B is installed", so `if`/`unless` act as conjunctions here.
   */
  private conflictHolds(node: RichNode, owner: RpmPackage, extra?: RpmPackage): boolean {
    return this.evaluate(node, (pkg) => (pkg !== owner && this.has(pkg)) || pkg === extra, false);
  }

  /** Evaluates a rich expression; `ifWithoutElse` is the value of `(A if B)` when B is false. */
  private evaluate(node: RichNode, installed: (pkg: RpmPackage) => boolean, ifWithoutElse: boolean): boolean {
    const walk = (n: RichNode): boolean => {
      switch (n.op) {
        case 'dep': return this.index.whatProvides(n.dep).some(installed);
        case 'and': return n.args.every(walk);
        case 'or': return n.args.some(walk);
        case 'with': return this.pairProviders(n.args, false).some(installed);
        case 'without': return this.pairProviders(n.args, true).some(installed);
        case 'if': return walk(n.cond) ? walk(n.then) : n.else ? walk(n.else) : ifWithoutElse;
        case 'unless': return walk(n.cond) ? (n.else ? walk(n.else) : ifWithoutElse) : walk(n.then);
      }
    };
    return walk(node);
  }

  /** `(A with B)`: packages providing both; `(A without B)`: providing A and not B. */
  pairProviders(args: RichNode[], without: boolean): RpmPackage[] {
    const sets = args.map((arg) => (arg.op === 'dep' ? this.index.whatProvides(arg.dep) : []));
    const [first = [], ...rest] = sets;
    return without
      ? first.filter((pkg) => !rest.some((set) => set.includes(pkg)))
      : first.filter((pkg) => rest.every((set) => set.includes(pkg)));
  }
}

function isUnless(node: RichNode): boolean {
  return node.op === 'unless' && !node.else;
}
