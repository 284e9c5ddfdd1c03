import path from 'node:path';
import type { Arbor } from '../Arbor';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { HookContext } from '../HookContext';
import { Repo } from '../store/Repo';
import { readTrustedKey } from '../signing/TrustedKey';
import { LocalRepoTransport } from './LocalRepoTransport';
import { pull, type PullResult } from './pull';
import { readRemote, type Remote } from './RemoteConfig';

export interface PullLocalOptions {
  arbor: Arbor;
  context?: HookContext;
  /** Branches of the source to pull; all of its refs/heads when empty. */
  refs?: string[];
  /**
   * A remote of the destination: its keys decide which signatures are required, and the
   * pulled refs land as `REMOTE:REF`, so a later `arbor upgrade` follows that remote
   * (ostree's `pull-local --remote`). Without it, refs land as `REF`.
   */
  remote?: string;
  /** A public key (`arbor key generate`'s .pub): every commit must carry a valid signature by it. */
  verifyKeyFile?: string;
  depth?: number;
  allowDowngrade?: boolean;
}

export interface PullLocalResult {
  source: string;
  sourceMode: string;
  /** Whether signatures were required (by `--remote`'s keys or `--verify-key`). */
  verified: boolean;
  refs: PullResult[];
}

/**
 * `arbor pull-local`: commits from a local repo of any mode into another, through `pull` itself
 * (LocalRepoTransport presents the source as an archive repo): each commit passes the `verify`
 * hook before its tree is read, every object is re-hashed against its ID as it lands in the
 * staging directory, and a ref moves (atomically, from the value it had) only once its whole
 * commit is stored. A corrupt object in the source fails the pull naming it, and moves nothing.
 */
export async function pullLocal(destination: Repo, sourcePath: string, options: PullLocalOptions): Promise<PullLocalResult> {
  const source = Repo.open(path.resolve(sourcePath));
  if (path.resolve(source.path) === path.resolve(destination.path)) {
    throw new ArborError(ErrorCode.USAGE, `pull-local: ${source.path} is the destination repo itself`, { exitCode: 2 });
  }
  const policy = sourcePolicy(destination, source, options);
  const refs = options.refs?.length ? options.refs : Object.keys(source.listRefs()).filter((ref) => !ref.includes(':')).sort();
  if (refs.length === 0) throw new ArborError(ErrorCode.PULL_REF_NOT_FOUND, `${source.path} has no branches to pull`);
  const results: PullResult[] = [];
  for (const ref of refs) {
    const transport = new LocalRepoTransport(source, destination.mode === 'archive');
    results.push(await pull(destination, policy.name, ref, {
      arbor: options.arbor,
      context: options.context,
      depth: options.depth,
      allowDowngrade: options.allowDowngrade,
      source: { remote: policy, transport },
      localRef: /^[0-9a-f]{64}$/.test(ref) ? undefined : options.remote ? `${options.remote}:${ref}` : ref,
    }));
  }
  return { source: source.path, sourceMode: source.mode, verified: !policy.noVerify, refs: results };
}

/** What the pull checks signatures against: the named remote's keys, a key file, or nothing (a local repo you own). */
function sourcePolicy(destination: Repo, source: Repo, options: PullLocalOptions): Remote {
  const url = `file://${source.path}/`;
  const description = `local repo ${source.path}`;
  if (options.remote) {
    const remote = readRemote(destination.path, options.remote);
    const keys = options.verifyKeyFile ? [...remote.keys, readTrustedKey(options.verifyKeyFile)] : remote.keys;
    return { name: remote.name, url, description: `${description} (as remote ${remote.name})`, noVerify: remote.noVerify && !options.verifyKeyFile, keys };
  }
  if (options.verifyKeyFile) return { name: source.path, url, description, noVerify: false, keys: [readTrustedKey(options.verifyKeyFile)] };
  return { name: source.path, url, description, noVerify: true, keys: [] };
}
