import { ArchPolicy } from './ArchPolicy';
import { formatDependency, isRich, type Dependency } from './Dependency';
import { orderForInstall } from './InstallOrder';
import { matchPackageSpec } from './PackageSpec';
import { ProviderIndex } from './ProviderIndex';
import { parseRichDependency, type RichNode } from './RichDependency';
import { nevra, type RpmPackage } from './RpmPackage';
import { compareEvr } from '@arbor/plugin-rpm';
import { SolverState } from './SolverState';

export interface ResolverOptions {
  arch: string;
  /** Install Recommends and Supplements (rpm-ostree's `recommends`, default on). */
  recommends: boolean;
  excluded: readonly string[];
  /** Files beyond primary.xml's, when some file dependency needs them. */
  fileLists?: Map<RpmPackage, string[]>;
  /**
   * What the tree already has (package layering): kept unless `excluded` names them or a
   * requested package of the same name replaces them; never part of `selected`.
   */
  installed?: readonly RpmPackage[];
}

export interface Resolution {
  /** In install order. */
  selected: RpmPackage[];
  /** libsolv-style problem lines; empty when the request is satisfiable. */
  problems: string[];
}

/** Something that must hold: a job (one of `candidates`) or a dependency of `by`. */
interface Goal {
  node: RichNode;
  text: string;
  by?: RpmPackage;
  candidates?: RpmPackage[];
}

/** A way to meet a goal: packages to add and sub-goals (the parts of an `and`) to meet after. */
interface Way {
  packages: RpmPackage[];
  goals: Goal[];
}

/** Branch points tried before giving up on a request; keeps an unsatisfiable set from running away. */
const SEARCH_LIMIT = 20000;

/**
 * Chooses the package set for a request the way libsolv does for a fresh install root: every
 * requested spec must be installed; each hard dependency (versioned, file, rich) is met by a
 * provider chosen by libsolv's policy: compatible arch, best arch, then highest EVR, names in
 * a stable order; Conflicts and Obsoletes exclude combinations; when the preferred choice
 * leads to a dead end the next one is tried (backtracking, as libsolv's SAT solver falls back).
 * Weak dependencies are added afterwards when they fit.
 */
export class Resolver {
  private readonly arch: ArchPolicy;
  private index: ProviderIndex;
  private readonly packages: RpmPackage[];
  private readonly excluded: RpmPackage[];
  /** Packages of arches this machine cannot run (and source packages): only named in problems. */
  private readonly foreign: RpmPackage[];
  /** The installed packages that stay; the others are taken out (excluded) or replaced by a request. */
  private kept: RpmPackage[] = [];
  private readonly installed: readonly RpmPackage[];
  private steps = 0;
  private recording = true;
  private firstProblem?: string;

  constructor(packages: readonly RpmPackage[], private readonly options: ResolverOptions) {
    this.arch = new ArchPolicy(options.arch);
    const exclude = new Set(options.excluded);
    const compatible = packages.filter((pkg) => this.arch.accepts(pkg.arch));
    this.packages = compatible.filter((pkg) => !exclude.has(pkg.name));
    this.excluded = compatible.filter((pkg) => exclude.has(pkg.name));
    this.foreign = packages.filter((pkg) => !this.arch.accepts(pkg.arch));
    this.installed = options.installed ?? [];
    this.index = new ProviderIndex(this.packages, options.fileLists);
  }

  resolve(requested: readonly string[]): Resolution {
    const matches: { spec: string; candidates: RpmPackage[] }[] = [];
    for (const spec of requested) {
      const candidates = matchPackageSpec(spec, this.packages, this.index);
      if (candidates.length === 0) return { selected: [], problems: [this.unmatched(spec)] };
      matches.push({ spec, candidates });
    }
    const initial = this.installedState(matches.map((match) => match.candidates));
    const queue = new GoalQueue();
    for (const { spec, candidates } of matches) queue.push({ node: { op: 'dep', dep: { name: spec } }, text: spec, candidates });
    let state = this.search(initial, queue);
    if (!state) return { selected: [], problems: [this.firstProblem ?? `the request (${requested.join(', ')}) cannot be satisfied`] };
    if (this.options.recommends) state = this.addWeakDependencies(state);
    const broken = this.brokenRequirements(state);
    if (broken.length) return { selected: [], problems: broken };
    const kept = new Set(this.kept);
    return { selected: orderForInstall([...state.installed.values()].filter((pkg) => !kept.has(pkg)), this.index), problems: [] };
  }

  /**
   * The state to search from: empty for a fresh root; with an installed set, the packages that
   * stay. An installed package leaves when `excluded` names it, or when every candidate of a
   * request has its name and none is it (a replacement, as `dnf install ./pkg.rpm` upgrades
   * or downgrades). The index then answers for the packages that stay as well as the offered.
   */
  private installedState(requests: RpmPackage[][]): SolverState {
    if (this.installed.length === 0) return new SolverState(this.index);
    const exclude = new Set(this.options.excluded);
    const installed = new Set(this.installed);
    const replacedNames = new Set<string>();
    for (const candidates of requests) {
      const name = candidates[0]!.name;
      if (candidates.every((pkg) => pkg.name === name && !installed.has(pkg))) replacedNames.add(name);
    }
    this.kept = this.installed.filter((pkg) => !exclude.has(pkg.name) && !replacedNames.has(pkg.name));
    this.index = new ProviderIndex([...this.kept, ...this.packages], this.options.fileLists);
    const state = new SolverState(this.index);
    for (const pkg of this.kept) state.add(pkg);
    return state;
  }

  /**
   * Requirements of the packages that stay which the installed set met and the new set does
   * not: what a removal or a replacement takes away, naming the package that needs it and
   * the one that provided it (rpm's "is needed by" check on erase).
   */
  private brokenRequirements(state: SolverState): string[] {
    if (this.kept.length === this.installed.length) return [];
    const before = new SolverState(new ProviderIndex(this.installed));
    for (const pkg of this.installed) before.add(pkg);
    const kept = new Set(this.kept);
    const gone = this.installed.filter((pkg) => !kept.has(pkg));
    const goneIndex = new ProviderIndex(gone);
    const problems: string[] = [];
    for (const pkg of this.kept) {
      for (const dep of pkg.requires) {
        const goal = this.goal(dep, pkg);
        if (!before.holds(goal.node) || state.holds(goal.node)) continue;
        const atoms = goal.node.op === 'dep' ? [goal.node.dep] : [];
        const providers = atoms.flatMap((atom) => goneIndex.whatProvides(atom));
        const by = providers.length ? `, which only ${providers.map(nevra).join(', ')} provided` : '';
        problems.push(`package ${nevra(pkg)} requires ${goal.text}${by}`);
      }
    }
    return problems;
  }

  /** Why a requested spec has no candidate, in libsolv's words where it has them. */
  private unmatched(spec: string): string {
    if (matchPackageSpec(spec, this.excluded, new ProviderIndex(this.excluded)).length) return `package ${spec} is excluded (exclude-packages)`;
    const foreign = matchPackageSpec(spec, this.foreign, new ProviderIndex(this.foreign));
    if (foreign.length) return `package ${nevra(foreign[0]!)} does not have a compatible architecture`;
    return `no package matches "${spec}"`;
  }

  /**
   * Meets every goal in the queue, depth-first over choices; returns the final set, or
   * undefined with the state holding extra packages the caller undoes to its own mark.
   */
  private search(state: SolverState, queue: GoalQueue): SolverState | undefined {
    for (;;) {
      const goal = queue.shift();
      if (!goal) {
        // Conditional rich dependencies (`if`, `unless`) can turn on as later packages join.
        const pending = this.unmet(state);
        if (pending.length === 0) return state;
        for (const goal of pending) queue.push(goal);
        continue;
      }
      const ways = this.ways(goal, state);
      if (ways === true) continue;
      const reasons: string[] = [];
      const viable = ways.filter((way) => {
        const reason = way.packages.map((pkg) => state.blocker(pkg)).find(Boolean);
        if (reason) reasons.push(reason);
        return !reason;
      });
      if (viable.length === 0) {
        this.fail(goal, ways.length === 0, reasons);
        return undefined;
      }
      if (viable.length === 1) {
        if (!this.apply(viable[0]!, state, queue)) return undefined;
        continue;
      }
      for (const way of viable) {
        if (++this.steps > SEARCH_LIMIT) {
          this.fail(goal, false, [`gave up after ${SEARCH_LIMIT} choices`]);
          return undefined;
        }
        const mark = state.mark();
        const queueMark = queue.mark();
        if (this.apply(way, state, queue) && this.search(state, queue)) return state;
        state.undo(mark);
        queue.undo(queueMark);
      }
      return undefined;
    }
  }

  private apply(way: Way, state: SolverState, queue: GoalQueue): boolean {
    for (const pkg of way.packages) {
      if (state.has(pkg)) continue;
      const reason = state.blocker(pkg);
      if (reason) {
        if (this.recording) this.firstProblem ??= reason;
        return false;
      }
      state.add(pkg);
      for (const dep of pkg.requires) queue.push(this.goal(dep, pkg));
    }
    for (const goal of way.goals) queue.push(goal);
    return true;
  }

  /** `true` when the goal already holds, else the ways to meet it, best first. */
  private ways(goal: Goal, state: SolverState): Way[] | true {
    if (goal.candidates) {
      if (goal.candidates.some((pkg) => state.has(pkg))) return true;
      return this.policy(goal.candidates).map((pkg) => ({ packages: [pkg], goals: [] }));
    }
    if (state.holds(goal.node)) return true;
    const node = goal.node;
    const sub = (child: RichNode): Goal => ({ node: child, text: goal.text, by: goal.by });
    switch (node.op) {
      case 'dep':
        return this.policy(this.index.whatProvides(node.dep)).map((pkg) => ({ packages: [pkg], goals: [] }));
      case 'and':
        return [{ packages: [], goals: node.args.filter((arg) => !state.holds(arg)).map(sub) }];
      case 'or':
        return this.either(node.args.map((arg) => ({ node: arg })), sub);
      case 'with':
      case 'without':
        return this.policy(state.pairProviders(node.args, node.op === 'without')).map((pkg) => ({ packages: [pkg], goals: [] }));
      case 'if':
        // (A if B else C) is (B and A) or (not B and C): libsolv meets the "B or C" half by
        // choosing among the providers of both, and installing B then forces A.
        if (state.holds(node.cond)) return [{ packages: [], goals: [sub(node.then)] }];
        return this.either([{ node: node.cond, then: node.then }, { node: node.else! }], sub);
      case 'unless':
        // (A unless B) is "A or B"; with an else, (A unless B else C) is "(A and not B) or (B and C)".
        if (state.holds(node.cond)) return [{ packages: [], goals: [sub(node.else!)] }];
        return this.either([{ node: node.then }, ...(node.else ? [] : [{ node: node.cond }])], sub);
    }
  }

  /**
   * A disjunction: libsolv puts the providers of every simple alternative in one candidate list
   * and applies its policy to the whole list (so `(web-b or web-a)` can choose web-a); nested
   * expressions follow as sub-goals. `then` is what choosing that alternative also requires.
   */
  private either(alternatives: { node: RichNode; then?: RichNode }[], sub: (child: RichNode) => Goal): Way[] {
    const then = new Map<RpmPackage, RichNode | undefined>();
    const nested: Way[] = [];
    for (const alternative of alternatives) {
      if (alternative.node.op !== 'dep') {
        nested.push({ packages: [], goals: [sub(alternative.node), ...(alternative.then ? [sub(alternative.then)] : [])] });
        continue;
      }
      for (const pkg of this.index.whatProvides(alternative.node.dep)) if (!then.has(pkg)) then.set(pkg, alternative.then);
    }
    const simple = this.policy([...then.keys()]).map((pkg) => {
      const follow = then.get(pkg);
      return { packages: [pkg], goals: follow ? [sub(follow)] : [] };
    });
    return [...simple, ...nested];
  }

  /**
   * libsolv's choice policy, as an order: per name, the best arch class first (noarch always
   * kept) and the highest EVR; across names, each name's best before anyone's second best,
   * names alphabetically (libsolv orders by name id; for repos read from one metadata file
   * that is the file's, i.e. alphabetical, order).
   */
  private policy(candidates: readonly RpmPackage[]): RpmPackage[] {
    const byName = new Map<string, RpmPackage[]>();
    for (const pkg of candidates) {
      const list = byName.get(pkg.name);
      if (list) list.push(pkg);
      else byName.set(pkg.name, [pkg]);
    }
    const ranked: { pkg: RpmPackage; rank: number }[] = [];
    for (const list of byName.values()) {
      const best = Math.min(...list.map((pkg) => (pkg.arch === 'noarch' ? Infinity : this.arch.rank(pkg.arch))));
      const preferred = (pkg: RpmPackage) => pkg.arch === 'noarch' || this.arch.rank(pkg.arch) === best;
      list.sort((a, b) =>
        Number(preferred(b)) - Number(preferred(a)) || compareEvr(b, a) || this.arch.rank(a.arch) - this.arch.rank(b.arch));
      list.forEach((pkg, rank) => ranked.push({ pkg, rank }));
    }
    ranked.sort((a, b) => a.rank - b.rank || (a.pkg.name < b.pkg.name ? -1 : a.pkg.name > b.pkg.name ? 1 : 0));
    return ranked.map(({ pkg }) => pkg);
  }

  private goal(dep: Dependency, by: RpmPackage): Goal {
    if (!isRich(dep)) return { node: { op: 'dep', dep }, text: formatDependency(dep), by };
    return { node: parseRichDependency(dep.name), text: dep.name, by };
  }

  /**
   * Hard dependencies of the set that do not hold: conditionals that turned on, and
   * `Conflicts: (A unless B)` with A present, which libsolv meets by installing B (the conflict
   * is the clause "not A or B").
   */
  private unmet(state: SolverState): Goal[] {
    const pending: Goal[] = [];
    // What the installed packages that stay require is checked once, against the final set
    // (brokenRequirements): a base that already lacked something is not mended from the repos.
    const kept = new Set(this.kept);
    for (const pkg of state.installed.values()) {
      if (kept.has(pkg)) continue;
      for (const dep of pkg.requires) {
        const goal = this.goal(dep, pkg);
        if (!state.holds(goal.node)) pending.push(goal);
      }
      for (const dep of pkg.conflicts) {
        if (!isRich(dep)) continue;
        const node = this.goal(dep, pkg).node;
        if (node.op === 'unless' && !node.else && state.holds(node.then, pkg) && !state.holds(node.cond, pkg)) {
          pending.push({ node: node.cond, text: dep.name, by: pkg });
        }
      }
    }
    return pending;
  }

  /**
   * Recommends of chosen packages, then packages whose Supplements match the set, each added
   * only when it and its own requirements fit (a weak dependency never fails a compose).
   */
  private addWeakDependencies(state: SolverState): SolverState {
    this.recording = false;
    // Onto an installed set, only the newcomers' Recommends count (dnf install does the same).
    const kept = new Set(this.kept);
    const supplementing = kept.size ? [] : this.policy(this.packages.filter((pkg) => pkg.supplements.length > 0));
    for (let changed = true; changed;) {
      changed = false;
      for (const pkg of [...state.installed.values()]) {
        if (kept.has(pkg)) continue;
        for (const dep of pkg.recommends) {
          const goal = this.goal(dep, pkg);
          if (!state.holds(goal.node)) changed = this.tryWeak(state, goal) || changed;
        }
      }
      for (const pkg of supplementing) {
        if (state.installed.has(pkg.name)) continue;
        if (!pkg.supplements.some((dep) => state.holds(this.goal(dep, pkg).node))) continue;
        changed = this.tryWeak(state, { node: { op: 'dep', dep: { name: pkg.name } }, text: pkg.name, candidates: [pkg] }) || changed;
      }
    }
    this.recording = true;
    return state;
  }

  /** Adds what a weak dependency needs when it all fits; otherwise leaves the set as it was. */
  private tryWeak(state: SolverState, goal: Goal): boolean {
    const mark = state.mark();
    const queue = new GoalQueue();
    queue.push(goal);
    if (this.search(state, queue)) return state.mark() > mark;
    state.undo(mark);
    return false;
  }

  private fail(goal: Goal, nothingProvides: boolean, reasons: string[]): void {
    if (!this.recording || this.firstProblem) return;
    const who = goal.by ? nevra(goal.by) : undefined;
    if (nothingProvides) {
      const excludedBy = this.excluded.filter((pkg) => goal.node.op === 'dep' && new ProviderIndex([pkg]).whatProvides(goal.node.dep).length);
      const suffix = excludedBy.length ? ` (only the excluded ${excludedBy.map(nevra).join(', ')} would)` : '';
      this.firstProblem = who ? `nothing provides ${goal.text} needed by ${who}${suffix}` : `nothing provides ${goal.text}${suffix}`;
      return;
    }
    if (!who) {
      // A requested package that cannot join the set: the reason is the problem (libsolv's wording).
      this.firstProblem = reasons[0] ?? `cannot install ${goal.text}`;
      return;
    }
    const head = `package ${who} requires ${goal.text}, but none of the providers can be installed`;
    this.firstProblem = reasons.length ? `${head}: ${reasons[0]}` : head;
  }
}

/**
 * Goals to meet, first in first out. Goals are only ever appended and consumed from the head,
 * so a choice point is (length, head) and backtracking restores it by truncating: no copy of
 * the queue per choice.
 */
class GoalQueue {
  private readonly items: Goal[] = [];
  private head = 0;

  push(goal: Goal): void {
    this.items.push(goal);
  }

  shift(): Goal | undefined {
    return this.head < this.items.length ? this.items[this.head++] : undefined;
  }

  mark(): [number, number] {
    return [this.items.length, this.head];
  }

  undo([length, head]: [number, number]): void {
    this.items.length = length;
    this.head = head;
  }
}
