import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { isObjectId, type ObjectId } from './ObjectId';
import { isValidRef } from './RefName';
import type { Repo } from './Repo';

const HEX_PREFIX = /^[0-9a-f]{8,63}$/;

/**
 * Turns a REF argument (docs/command-contract.md) into a commit ID: a ref name (`os/stable`, `origin:os/stable`),
 * a full 64-digit ID, a unique prefix of 8 or more hex digits, each optionally followed by `^`
 * (repeatable) for the parent. A name that is both a ref and a hex prefix means the ref, as in
 * git.
 */
export function resolveRev(repo: Repo, rev: string): ObjectId {
  const base = rev.replace(/\^+$/, '');
  const parents = rev.length - base.length;
  let id = resolveBase(repo, base, rev);
  for (let step = 0; step < parents; step++) {
    const parent = repo.readCommit(id).parent;
    if (!parent) {
      throw new ArborError(ErrorCode.STORE_NO_PARENT, `${rev}: commit ${id} has no parent`, { hint: 'See the history with `arbor log`' });
    }
    id = parent;
  }
  return id;
}

function resolveBase(repo: Repo, base: string, rev: string): ObjectId {
  if (base.length === 0) throw notFound(rev);
  if (isValidRef(base)) {
    const id = repo.readRef(base);
    if (id) return id;
  }
  if (isObjectId(base)) {
    if (!repo.hasObject(base, 'commit')) {
      throw new ArborError(ErrorCode.STORE_OBJECT_MISSING, `Commit ${base} is not in the repo`, { hint: 'List commits with `arbor log REF`' });
    }
    return base;
  }
  if (HEX_PREFIX.test(base)) return resolvePrefix(repo, base, rev);
  throw notFound(rev);
}

/** One readdir of the prefix's shard directory finds every commit it could name. */
function resolvePrefix(repo: Repo, prefix: string, rev: string): ObjectId {
  const shard = prefix.slice(0, 2);
  const rest = prefix.slice(2);
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.join(repo.path, 'objects', shard));
  } catch {
    // no objects in that shard
  }
  const matches = names
    .filter((name) => name.endsWith('.commit') && name.startsWith(rest))
    .map((name) => shard + name.slice(0, -'.commit'.length))
    .filter(isObjectId);
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new ArborError(ErrorCode.STORE_PREFIX_AMBIGUOUS, `${rev}: the prefix ${prefix} matches ${matches.length} commits (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', ...' : ''})`, {
      hint: 'Give more digits of the commit ID',
    });
  }
  throw notFound(rev);
}

function notFound(rev: string): ArborError {
  return new ArborError(ErrorCode.STORE_REF_NOT_FOUND, `No ref or commit "${rev}" in the repo`, {
    hint: 'List refs with `arbor refs`; commit IDs may be abbreviated to 8 or more hex digits',
  });
}
