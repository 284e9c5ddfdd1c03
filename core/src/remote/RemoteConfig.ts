import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import type { RemotePolicy } from '../hooks';
import { readTrustedKey } from '../signing/TrustedKey';

/**
 * A remote as `arbor remote add` records it: one JSON file per remote in `<repo>/remotes.d/`,
 * like ostree's remotes.d drop-ins, so adding or deleting one never rewrites another and the
 * store's own `config` stays the store's. Trusted keys are copied in (as PEM) rather than
 * referenced, so moving or deleting the .pub file later cannot weaken the policy.
 */
export interface Remote extends RemotePolicy {
  name: string;
  url: string;
  /** How messages name it; default `remote NAME` (pull-local: `local repo PATH`). */
  description?: string;
}

export interface AddRemoteOptions {
  name: string;
  url: string;
  /** A `.pub` file from `arbor key generate`; exactly one of this and `noVerify`. */
  verifyKeyFile?: string;
  noVerify?: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function remotesDir(repo: string): string {
  return path.join(repo, 'remotes.d');
}

function remoteFile(repo: string, name: string): string {
  return path.join(remotesDir(repo), `${name}.json`);
}

export function assertRemoteName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ArborError(ErrorCode.REMOTE_INVALID, `Remote name "${name}" is not valid`, {
      hint: 'Use letters, digits, ".", "_" and "-", starting with a letter or digit',
      exitCode: 2,
    });
  }
}

export function addRemote(repo: string, options: AddRemoteOptions): Remote {
  assertRemoteName(options.name);
  if (Boolean(options.verifyKeyFile) === Boolean(options.noVerify)) {
    throw new ArborError(ErrorCode.USAGE, `Remote ${options.name} needs exactly one of --verify-key PUBFILE and --no-verify`, {
      hint: 'Pulls from a remote are checked against its key; --no-verify says you accept unsigned content',
      exitCode: 2,
    });
  }
  const url = normalizeUrl(options.url);
  const file = remoteFile(repo, options.name);
  if (fs.existsSync(file)) {
    throw new ArborError(ErrorCode.REMOTE_EXISTS, `Remote ${options.name} already exists in ${repo}`, {
      hint: `Delete it first: arbor remote delete ${options.name}`,
    });
  }
  const keys = options.verifyKeyFile ? [readTrustedKey(options.verifyKeyFile)] : [];
  const remote: Remote = { name: options.name, url, noVerify: Boolean(options.noVerify), keys };
  fs.mkdirSync(remotesDir(repo), { recursive: true });
  // Temp file + rename with `wx` on the temp: a concurrent add of the same name cannot interleave.
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(remote, null, 2)}\n`, { flag: 'wx' });
  fs.renameSync(temp, file);
  return remote;
}

export function readRemote(repo: string, name: string): Remote {
  assertRemoteName(name);
  let text: string;
  try {
    text = fs.readFileSync(remoteFile(repo, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const known = listRemotes(repo).map((remote) => remote.name);
    throw new ArborError(ErrorCode.REMOTE_UNKNOWN, `No remote named ${name} in ${repo}`, {
      hint: known.length ? `Known remotes: ${known.join(', ')}` : 'Add one: arbor remote add NAME URL --verify-key PUBFILE',
    });
  }
  return parseRemote(text, remoteFile(repo, name));
}

export function listRemotes(repo: string): Remote[] {
  let names: string[];
  try {
    names = fs.readdirSync(remotesDir(repo));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseRemote(fs.readFileSync(path.join(remotesDir(repo), file), 'utf8'), path.join(remotesDir(repo), file)));
}

export function deleteRemote(repo: string, name: string): Remote {
  const remote = readRemote(repo, name);
  fs.rmSync(remoteFile(repo, name));
  return remote;
}

function normalizeUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ArborError(ErrorCode.REMOTE_INVALID, `"${raw}" is not a URL`, {
      hint: 'Give a full URL: http://HOST:PORT/path, https://..., or file:///path/to/repo',
      exitCode: 2,
    });
  }
  if (url.search || url.hash) {
    throw new ArborError(ErrorCode.REMOTE_INVALID, `Remote URL ${raw} has a query or fragment; objects are fetched relative to it`, { exitCode: 2 });
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

function parseRemote(text: string, file: string): Remote {
  let value: Partial<Remote>;
  try {
    value = JSON.parse(text) as Partial<Remote>;
  } catch {
    throw new ArborError(ErrorCode.REMOTE_INVALID, `${file} is not valid JSON`);
  }
  if (typeof value.name !== 'string' || typeof value.url !== 'string' || typeof value.noVerify !== 'boolean' || !Array.isArray(value.keys)) {
    throw new ArborError(ErrorCode.REMOTE_INVALID, `${file} lacks name, url, noVerify or keys`);
  }
  return { name: value.name, url: value.url, noVerify: value.noVerify, keys: value.keys };
}
