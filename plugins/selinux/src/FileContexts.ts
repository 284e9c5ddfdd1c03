import { compileSpec, pathStem, type FileContextSpec } from './FileContextSpec';
import type { FileContextLine } from './FileContextsParser';
import { SubstitutionList } from './SubstitutionList';

export interface FileContextsSources {
  /** file_contexts, then file_contexts.homedirs, then file_contexts.local: libselinux's load order. */
  lines: FileContextLine[];
  /** file_contexts.subs (the admin's), applied first. */
  subs?: SubstitutionList;
  /** file_contexts.subs_dist (the distribution's), applied to the result. */
  distSubs?: SubstitutionList;
}

/** A trie node keyed by the specs' required prefixes. */
interface PrefixNode {
  children: Map<number, PrefixNode>;
  /** Indices of specs whose required prefix ends here. */
  own: number[];
  /** Indices of every spec whose prefix is a prefix of this node's text, highest (last-wins) first. */
  candidates: Int32Array;
}

/**
 * A policy's file contexts, compiled: answers "what context does libselinux give PATH of type
 * MODE" (selabel_lookup on the file backend, libselinux 3.4 label_file.c lookup_all()).
 *
 * libselinux keeps the specs in load order, moves the exact ones (no metacharacter) to the end,
 * and walks the list backwards, so the last matching spec wins and an exact path beats every
 * regex. It skips a spec whose stem differs from the path's stem or whose type differs. We give
 * the same answer faster: each spec sits in a trie under the literal text every match starts
 * with, so a lookup walks the path down the trie and tries only the specs found on the way
 * (their union precomputed per node, highest index first), where libselinux tries every spec of
 * the path's stem plus every stemless one.
 */
export class FileContexts {
  readonly specs: readonly FileContextSpec[];
  private readonly root: PrefixNode;
  private readonly subs: SubstitutionList;
  private readonly distSubs: SubstitutionList;

  constructor(sources: FileContextsSources) {
    const compiled = sources.lines.map(compileSpec);
    // sort_specs(): a stable partition, regexes first, exact paths last.
    this.specs = [...compiled.filter((spec) => !spec.exact), ...compiled.filter((spec) => spec.exact)];
    this.subs = sources.subs ?? SubstitutionList.EMPTY;
    this.distSubs = sources.distSubs ?? SubstitutionList.EMPTY;
    this.root = newNode();
    this.specs.forEach((spec, index) => {
      let node = this.root;
      for (let i = 0; i < spec.requiredPrefix.length; i++) {
        const code = spec.requiredPrefix.charCodeAt(i);
        let child = node.children.get(code);
        if (!child) node.children.set(code, (child = newNode()));
        node = child;
      }
      node.own.push(index);
    });
    fillCandidates(this.root, new Int32Array(0));
  }

  /**
   * The context for a path (a latin1 byte string starting with `/`) of the given S_IFMT type
   * (0: any), or null when the winning spec is `<<none>>` or none matches.
   */
  lookup(path: string, mode: number): string | null {
    return this.match(path, mode)?.context ?? null;
  }

  /** The spec that decides the path's label, or null when none matches. */
  match(path: string, mode: number): FileContextSpec | null {
    const key = this.lookupKey(path);
    const stem = pathStem(key);
    let node = this.root;
    let candidates = node.candidates;
    for (let i = 0; i < key.length; i++) {
      const child = node.children.get(key.charCodeAt(i));
      if (!child) break;
      node = child;
      candidates = node.candidates;
    }
    for (let i = 0; i < candidates.length; i++) {
      const spec = this.specs[candidates[i]!]!;
      if (spec.stem !== null && spec.stem !== stem) continue;
      if (mode !== 0 && spec.mode !== 0 && spec.mode !== mode) continue;
      if (spec.matches(key)) return spec;
    }
    return null;
  }

  /** The path as lookup_all() matches it: runs of `/` collapsed, no trailing `/`, aliases substituted. */
  private lookupKey(path: string): string {
    let key = path.includes('//') ? path.replace(/\/\/+/g, '/') : path;
    if (key.length > 1 && key.endsWith('/')) key = key.slice(0, -1);
    const local = this.subs.apply(key);
    return (local !== null ? this.distSubs.apply(local) ?? local : this.distSubs.apply(key)) ?? key;
  }
}

function newNode(): PrefixNode {
  return { children: new Map(), own: [], candidates: new Int32Array(0) };
}

/** Each node's candidates: its parent's plus its own, in descending index order (iteratively: tries run deep). */
function fillCandidates(root: PrefixNode, inherited: Int32Array): void {
  const stack: Array<[PrefixNode, Int32Array]> = [[root, inherited]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    node.candidates = node.own.length === 0 ? parent : mergeDescending(parent, node.own);
    for (const child of node.children.values()) stack.push([child, node.candidates]);
  }
}

/** Merges a descending list with an ascending one into a new descending list. */
function mergeDescending(parent: Int32Array, own: number[]): Int32Array {
  const merged = new Int32Array(parent.length + own.length);
  let [p, o, m] = [0, own.length - 1, 0];
  while (p < parent.length && o >= 0) merged[m++] = parent[p]! > own[o]! ? parent[p++]! : own[o--]!;
  while (p < parent.length) merged[m++] = parent[p++]!;
  while (o >= 0) merged[m++] = own[o--]!;
  return merged;
}
