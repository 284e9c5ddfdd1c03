import fs from 'node:fs';
import path from 'node:path';

/**
 * Reads os-release(5): `KEY=value` lines in a subset of shell syntax. Values may be double
 * quoted (with `\"`, `\\`, `\$` and `` \` `` escapes) or single quoted (taken literally).
 * A deployment's own copy is `usr/lib/os-release`; `etc/os-release` is the admin's and may
 * point at it, so the /usr one is read first.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    values[match[1]!] = unquote(match[2]!.trim());
  }
  return values;
}

/** The os-release of a deployment (or any tree), or an empty record when it has none. */
export function readOsRelease(root: string): Record<string, string> {
  for (const candidate of ['usr/lib/os-release', 'etc/os-release']) {
    try {
      return parseOsRelease(fs.readFileSync(path.join(root, candidate), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return {};
}

function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) return value.slice(1, -1);
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  }
  return value;
}
