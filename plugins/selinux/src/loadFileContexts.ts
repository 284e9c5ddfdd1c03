import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '@arbor/core';
import { FileContexts } from './FileContexts';
import { parseFileContexts, type FileContextLine } from './FileContextsParser';
import { SelinuxErrorCode } from './SelinuxErrorCode';
import { SubstitutionList } from './SubstitutionList';

/** Reads a file's bytes as a latin1 string, or null when it does not exist. */
export type PolicyFileReader = (file: string) => string | null;

/**
 * Loads a policy's file contexts the way selabel_open() does given a path FILE: FILE, then
 * FILE.homedirs and FILE.local when present (in that order, so the local ones win ties), with
 * the aliases of FILE.subs and FILE.subs_dist. Only the text form is read: libselinux would
 * prefer FILE.bin when it is newer, but it is compiled from the same text.
 */
export function loadFileContexts(file: string, read: PolicyFileReader = readHostFile): FileContexts {
  const main = read(file);
  if (main === null) {
    throw new ArborError(SelinuxErrorCode.POLICY_NOT_FOUND, `No file_contexts at ${file}`, {
      hint: 'Give the text file_contexts of the policy (etc/selinux/<type>/contexts/files/file_contexts).',
    });
  }
  const lines: FileContextLine[] = parseFileContexts(main, file);
  for (const suffix of ['homedirs', 'local']) {
    const extra = read(`${file}.${suffix}`);
    if (extra !== null) lines.push(...parseFileContexts(extra, `${file}.${suffix}`));
  }
  const subs = read(`${file}.subs`);
  const distSubs = read(`${file}.subs_dist`);
  return new FileContexts({
    lines,
    ...(subs !== null ? { subs: SubstitutionList.parse(subs) } : {}),
    ...(distSubs !== null ? { distSubs: SubstitutionList.parse(distSubs) } : {}),
  });
}

function readHostFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ArborError(SelinuxErrorCode.POLICY_NOT_FOUND, `Cannot read ${file}: ${(error as Error).message}`);
  }
}

/** A reader confined to a tree: symlinks inside it resolve against its root, never the host's. */
export function treeFileReader(root: string): PolicyFileReader {
  return (file) => {
    const resolved = resolveInTree(root, path.relative(root, file));
    return resolved === null ? null : readHostFile(resolved);
  };
}

/** The host path of a tree path, following symlinks as if `root` were `/`; null when missing. */
export function resolveInTree(root: string, treePath: string): string | null {
  const pending = treePath.split('/').filter((part) => part !== '' && part !== '.');
  const resolved: string[] = [];
  for (let hops = 0; pending.length > 0; ) {
    const part = pending.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const host = path.join(root, ...resolved, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(host);
    } catch {
      return null;
    }
    if (!stat.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++hops > 40) return null;
    const target = fs.readlinkSync(host);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((piece) => piece !== '' && piece !== '.'));
  }
  return path.join(root, ...resolved);
}
