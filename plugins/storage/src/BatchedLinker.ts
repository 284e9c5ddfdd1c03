import { FsBatch, type DirTree, type FsBatchFailure } from '@arbor/core';

/** A directory of the checkout, in the walk order of TreeWriter (parents before children). */
export interface LinkNode {
  /** Destination, as a latin1 byte string. */
  dest: string;
  tree: DirTree;
  children: number[];
}

/** One operation of a batch that failed, for the caller to redo: a directory, or one of its files. */
export interface LinkRedo {
  node: number;
  /** Index in the node's files, MKDIR for the mkdir of the node itself, OWN for its owner and mode. */
  file: number;
}

export const MKDIR = -1;
export const OWN = -2;

/** A directory's owner and mode, to set right after making it. */
export type DirOwner = (node: number) => { uid: number; gid: number; mode: number };

/** mkdir costs about seven link calls on ext4 (strace of ostree checkout: 44 µs against 6 µs). */
const MKDIR_COST = 7;
/** Batches queued at once: the libuv pool runs four at a time, and each one ticks the progress. */
const BATCHES = 8;
/** Work units are cut to about this share of the whole, so that the batches come out even. */
const UNITS_PER_BATCH = 4;

interface Unit {
  cost: number;
  /** A whole subtree whose root directory the unit creates... */
  subtree?: number;
  /** ...or files [from, to) of a directory made before the batches. */
  files?: { node: number; from: number; to: number };
}

interface Batch {
  ops: FsBatch;
  /** For each operation of the batch, what it was. */
  nodes: number[];
  files: number[];
}

/**
 * Places a hardlink checkout with native batches of mkdir and link (FsBatch) that run side by
 * side on the libuv pool. The tree is cut into units that touch disjoint directories: whole
 * subtrees, whose first operation makes their root, and slices of the files of the few large
 * directories above them, which are made first, here. Units are dealt to batches largest
 * first, each to the least loaded batch, and each batch starts as soon as it is encoded.
 * Nothing is read back from DEST.
 *
 * Returns the operations that failed (an existing name, a missing object, EXDEV, EMLINK...) in
 * an order where every directory comes before what it holds, so the caller can redo them one by
 * one with full error handling.
 */
export async function linkInBatches(
  nodes: LinkNode[],
  objectPath: (id: string) => string,
  onProgress: (files: number) => void,
  owner?: DirOwner,
): Promise<LinkRedo[]> {
  const cost = subtreeCosts(nodes);
  const unitMax = Math.max(256, Math.ceil(cost[0]! / (BATCHES * UNITS_PER_BATCH)));
  const made: number[] = [];
  const units: Unit[] = [];
  const split = (node: number): void => {
    const files = nodes[node]!.tree.files.length;
    for (let from = 0; from < files; from += unitMax) {
      const to = Math.min(files, from + unitMax);
      units.push({ cost: to - from, files: { node, from, to } });
    }
    for (const child of nodes[node]!.children) {
      if (cost[child]! > unitMax) {
        made.push(child);
        split(child);
      } else {
        units.push({ cost: cost[child]!, subtree: child });
      }
    }
  };
  split(0);

  const redo: LinkRedo[] = [];
  if (made.length > 0) {
    const batch: Batch = { ops: new FsBatch(), nodes: [], files: [] };
    for (const node of made) makeDirectory(batch, nodes, node, owner);
    // A directory that could not be made: the caller redoes it, and throws its error.
    for (const failure of batch.ops.run()) redo.push({ node: batch.nodes[failure.index]!, file: batch.files[failure.index]! });
    if (redo.length > 0) return redo;
  }

  // Units are dealt first; each batch is then encoded and started at once, so the pool
  // threads are already linking while this thread encodes the next batch.
  const dealt: Unit[][] = Array.from({ length: BATCHES }, () => []);
  const loads = new Array<number>(BATCHES).fill(0);
  units.sort((a, b) => b.cost - a.cost);
  for (const unit of units) {
    let target = 0;
    for (let index = 1; index < BATCHES; index++) if (loads[index]! < loads[target]!) target = index;
    loads[target]! += unit.cost;
    dealt[target]!.push(unit);
  }
  const batches: Batch[] = [];
  const running: Promise<FsBatchFailure[]>[] = [];
  for (const batchUnits of dealt) {
    if (batchUnits.length === 0) continue;
    const batch: Batch = { ops: new FsBatch(), nodes: [], files: [] };
    for (const unit of batchUnits) {
      if (unit.files) addFiles(batch, nodes, unit.files.node, unit.files.from, unit.files.to, objectPath);
      else addSubtree(batch, nodes, unit.subtree!, objectPath, owner);
    }
    batches.push(batch);
    running.push(batch.ops.runAsync().then((failures) => {
      onProgress(batch.files.reduce((count, file) => count + (file >= 0 ? 1 : 0), 0));
      return failures;
    }));
  }
  const results = await Promise.all(running);
  batches.forEach((batch, index) => {
    for (const failure of results[index]!) redo.push({ node: batch.nodes[failure.index]!, file: batch.files[failure.index]! });
  });
  return redo;
}

/** Each directory's cost plus that of everything below it. */
function subtreeCosts(nodes: LinkNode[]): number[] {
  const cost = nodes.map((node) => MKDIR_COST + node.tree.files.length);
  for (let index = nodes.length - 1; index >= 0; index--) {
    for (const child of nodes[index]!.children) cost[index]! += cost[child]!;
  }
  return cost;
}

function addFiles(batch: Batch, nodes: LinkNode[], node: number, from: number, to: number, objectPath: (id: string) => string): void {
  const { dest, tree } = nodes[node]!;
  const prefix = dest.endsWith('/') ? dest : `${dest}/`;
  for (let file = from; file < to; file++) {
    const entry = tree.files[file]!;
    batch.ops.link(objectPath(entry.file), prefix + entry.name);
    batch.nodes.push(node);
    batch.files.push(file);
  }
}

/**
 * mkdir, and with an `owner` (root, who writes into any directory whatever its mode) the
 * directory's owner and mode at once: no later pass over every directory.
 */
function makeDirectory(batch: Batch, nodes: LinkNode[], node: number, owner: DirOwner | undefined): void {
  batch.ops.mkdir(nodes[node]!.dest);
  batch.nodes.push(node);
  batch.files.push(MKDIR);
  if (!owner) return;
  const { uid, gid, mode } = owner(node);
  batch.ops.chownChmod(nodes[node]!.dest, uid, gid, mode);
  batch.nodes.push(node);
  batch.files.push(OWN);
}

/** Parents first: each directory's mkdir, then its files, then its subdirectories. */
function addSubtree(batch: Batch, nodes: LinkNode[], root: number, objectPath: (id: string) => string, owner: DirOwner | undefined): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    makeDirectory(batch, nodes, node, owner);
    addFiles(batch, nodes, node, 0, nodes[node]!.tree.files.length, objectPath);
    const children = nodes[node]!.children;
    for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]!);
  }
}
