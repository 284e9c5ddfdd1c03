import fs from 'node:fs';
import path from 'node:path';
import { blake3 } from '../store/Blake3';
import { encodeCommitSignatures } from '../store/CommitSignature';
import { objectRelPath, type ObjectId } from '../store/ObjectId';
import type { Repo } from '../store/Repo';
import type { Signature } from '../hooks';
import { encodeSizeIndex, isCurrentSizeIndex, sizeIndexPath, type SizeEntry } from './SizeIndex';
import { encodeSummary, SUMMARY_FILE, SUMMARY_SIGNATURE_FILE, type Summary } from './Summary';

export interface WriteSummaryOptions {
  /** Signs the summary's bytes (a `sign` tap, through signData); the signature goes in summary.sig. */
  sign?: (data: Buffer) => Promise<Signature>;
}

export interface WriteSummaryResult {
  refs: Summary['refs'];
  signed: boolean;
  /** Commits whose size index was written by this run (others already had one). */
  indexed: number;
}

/**
 * `arbor summary`: the index of the repo's branches that clients read first, and for an
 * archive repo a size index per branch head (SizeIndex.ts). Remote-tracking refs are not
 * listed: a server offers its own branches. Every file is written temp + rename, the summary
 * last-but-one and its signature last, so a client never reads a half-written summary; an
 * unsigned rewrite removes the old summary.sig, which would no longer match.
 */
export async function writeSummary(repo: Repo, options: WriteSummaryOptions = {}): Promise<WriteSummaryResult> {
  const refs: Summary['refs'] = {};
  let indexed = 0;
  for (const [name, commit] of Object.entries(repo.listRefs())) {
    if (name.includes(':')) continue;
    const { timestamp } = repo.readCommit(commit);
    let sizes: ObjectId | undefined;
    if (repo.mode === 'archive') {
      // Objects never change once written, so an index made earlier stays right; only an
      // index in an older encoding is made again.
      const found = readIfExists(path.join(repo.path, sizeIndexPath(commit)));
      const existing = found && isCurrentSizeIndex(found) ? found : undefined;
      const index = existing ?? encodeSizeIndex(collectSizes(repo, commit));
      if (!existing) {
        writeAtomically(repo, sizeIndexPath(commit), index);
        indexed++;
      }
      sizes = blake3(index).toString('hex');
    }
    refs[name] = { commit, timestamp, ...(sizes ? { sizes } : {}) };
  }
  const bytes = encodeSummary({ timestamp: Math.floor(Date.now() / 1000), refs });
  // Signed before anything is written, so a key that fails leaves the old summary and signature.
  const signature = options.sign ? await options.sign(bytes) : undefined;
  writeAtomically(repo, SUMMARY_FILE, bytes);
  if (signature) writeAtomically(repo, SUMMARY_SIGNATURE_FILE, encodeCommitSignatures([signature]));
  else fs.rmSync(path.join(repo.path, SUMMARY_SIGNATURE_FILE), { force: true });
  return { refs, signed: Boolean(signature), indexed };
}

/** Every object a commit needs, with the size of its archive file: what a client downloads. */
function collectSizes(repo: Repo, commit: ObjectId): SizeEntry[] {
  const entries: SizeEntry[] = [];
  const seen = new Set<string>();
  const add = (id: ObjectId, kind: SizeEntry['kind']): boolean => {
    const key = `${id}.${kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    entries.push({ id, kind, size: fs.lstatSync(path.join(repo.path, objectRelPath(id, kind))).size });
    return true;
  };
  const root = repo.readCommit(commit);
  add(commit, 'commit');
  add(root.rootMeta, 'dirmeta');
  const pending = [root.rootTree];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (!add(id, 'dirtree')) continue;
    const tree = repo.readDirTree(id);
    for (const file of tree.files) add(file.file, 'filez');
    for (const dir of tree.dirs) {
      add(dir.meta, 'dirmeta');
      pending.push(dir.tree);
    }
  }
  return entries;
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function writeAtomically(repo: Repo, relative: string, bytes: Buffer): void {
  const target = path.join(repo.path, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = path.join(repo.tmpPath, `${path.basename(relative)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, bytes, { mode: 0o644 });
  fs.renameSync(temp, target);
}
