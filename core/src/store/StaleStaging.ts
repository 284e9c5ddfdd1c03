import { processAlive } from '../fs/processAlive';
import fs from 'node:fs';
import path from 'node:path';
import type { Repo } from './Repo';

/** A staging directory of a commit that died before publishing (ObjectStaging). */
export interface StaleStaging {
  path: string;
  bytes: number;
  /** The pid in its name, no longer running. */
  pid: number;
  /** Seconds since anything was last added to it. */
  idleSeconds: number;
}

/**
 * How long a staging directory must have been left alone before another process may call it
 * stale, on top of its pid being gone. The pid alone is not enough: a commit in another pid
 * namespace (a container sharing the repo) has a pid this process cannot see. A live commit
 * adds objects to its directory all the time, which moves its mtime.
 */
export const STALE_AFTER_SECONDS = 3600;

const STAGING_NAME = /^staging-(\d+)-/;

/**
 * `tmp/staging-<pid>-*` directories whose process is gone and which nothing touched for an
 * hour: what a killed or crashed commit left. Prune removes every staging directory under its
 * exclusive lock; commits, which run side by side under the shared lock, remove only these.
 */
export function findStaleStaging(repo: Repo, now = Date.now()): StaleStaging[] {
  const stale: StaleStaging[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(repo.tmpPath);
  } catch {
    return stale;
  }
  for (const name of names) {
    const match = STAGING_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    const dir = path.join(repo.tmpPath, name);
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!stat?.isDirectory()) continue;
    const idleSeconds = Math.floor((now - stat.mtimeMs) / 1000);
    if (idleSeconds < STALE_AFTER_SECONDS || processAlive(pid)) continue;
    stale.push({ path: dir, bytes: bytesUnder(dir), pid, idleSeconds });
  }
  return stale;
}

/** Removes the stale staging directories; returns them. Called as a commit starts. */
export function removeStaleStaging(repo: Repo): StaleStaging[] {
  const stale = findStaleStaging(repo);
  for (const entry of stale) fs.rmSync(entry.path, { recursive: true, force: true });
  return stale;
}

function bytesUnder(root: string): number {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) stack.push(full);
      else total += fs.lstatSync(full, { throwIfNoEntry: false })?.size ?? 0;
    }
  }
  return total;
}
