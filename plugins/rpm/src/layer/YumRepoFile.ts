import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '@arbor/core/errors';
import { LayerErrorCode } from './LayerError';

/** One enabled or disabled `[id]` section of a .repo file, with its variables substituted. */
export interface YumRepo {
  id: string;
  name: string;
  /** Base URLs in the order written; the first that answers is used. */
  baseurls: string[];
  enabled: boolean;
  /** Every package from the repo must carry an OpenPGP signature by one of `gpgkeys` (docs/layering-rpm.md). */
  gpgcheck: boolean;
  /** gpgkey=: URLs of the repo's key files (file://, http://, https://), variables substituted. */
  gpgkeys: string[];
  /** The lines of gpgcheck= and gpgkey=, for messages. */
  gpgcheckLine?: number;
  gpgkeyLine?: number;
  /** skip_if_unavailable: a repo that cannot be read is warned about and left out, instead of failing. */
  skipIfUnavailable: boolean;
  /** metalink= or mirrorlist=, which Arbor does not follow. */
  mirrors?: { key: 'metalink' | 'mirrorlist'; line: number };
  /** The .repo file and the line of the `[id]` header, for messages. */
  file: string;
  line: number;
}

/** The variables dnf substitutes in .repo values (`$basearch`, `${releasever}`). */
export type RepoVariables = Record<string, string>;

const BOOLEANS: Record<string, boolean> = { 1: true, yes: true, true: true, on: true, 0: false, no: false, false: false, off: false };

/**
 * Reads every `*.repo` file of `<configRoot>/yum.repos.d`, in name order, as dnf's config
 * parser does: INI sections `[id]`, `key=value` lines, `#`/`;` comments, and indented lines
 * continuing the value above (several baseurls, one per line). Anything else is an error
 * naming the file, the line and the key; so is a repo with no baseurl or a baseurl whose
 * scheme is not file, http or https.
 */
export function readYumRepos(configRoot: string, variables: RepoVariables): YumRepo[] {
  const dir = path.join(configRoot, 'yum.repos.d');
  if (!fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  let names: string[];
  try {
    // Regular files only: a symlink in a deployment's etc is never followed out of the sysroot.
    names = fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.repo')).map((entry) => entry.name).sort();
  } catch {
    return [];
  }
  const repos: YumRepo[] = [];
  const seen = new Map<string, YumRepo>();
  for (const name of names) {
    const file = path.join(dir, name);
    for (const repo of parseRepoFile(file, fs.readFileSync(file, 'utf8'), variables)) {
      const earlier = seen.get(repo.id);
      if (earlier) throw malformed(file, repo.line, `repo [${repo.id}] is already defined in ${earlier.file}:${earlier.line}`);
      seen.set(repo.id, repo);
      repos.push(repo);
    }
  }
  return repos;
}

interface Section {
  id: string;
  line: number;
  values: Map<string, { value: string; line: number }>;
}

export function parseRepoFile(file: string, text: string, variables: RepoVariables): YumRepo[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  let lastKey: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/\r$/, '');
    const trimmed = content.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    if (/^\s/.test(content) && current && lastKey) {
      const entry = current.values.get(lastKey)!;
      entry.value += `\n${trimmed}`;
      return;
    }
    const header = /^\[([^\]]*)\]$/.exec(trimmed);
    if (header) {
      const id = header[1]!.trim();
      if (!/^[A-Za-z0-9_.:-]+$/.test(id)) throw malformed(file, line, `"${trimmed}" is not a valid repo id`);
      current = { id, line, values: new Map() };
      sections.push(current);
      lastKey = undefined;
      return;
    }
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw malformed(file, line, `"${trimmed}" is neither [repo-id] nor key=value`);
    const key = trimmed.slice(0, equals).trim();
    if (!current) throw malformed(file, line, `key ${key} comes before any [repo-id] section`);
    current.values.set(key, { value: trimmed.slice(equals + 1).trim(), line });
    lastKey = key;
  });
  return sections.map((section) => toRepo(file, section, variables));
}

function toRepo(file: string, section: Section, variables: RepoVariables): YumRepo {
  const get = (key: string) => section.values.get(key);
  const boolean = (key: string, fallback: boolean): boolean => {
    const entry = get(key);
    if (!entry) return fallback;
    const value = BOOLEANS[entry.value.toLowerCase()];
    if (value === undefined) throw malformed(file, entry.line, `key ${key} of [${section.id}] is "${entry.value}", not a boolean (1/0, yes/no, true/false)`);
    return value;
  };
  const repo: YumRepo = {
    id: section.id,
    name: substitute(get('name')?.value ?? section.id, variables),
    baseurls: [],
    enabled: boolean('enabled', true),
    gpgcheck: boolean('gpgcheck', false),
    gpgkeys: [],
    skipIfUnavailable: boolean('skip_if_unavailable', false),
    file,
    line: section.line,
  };
  const baseurl = get('baseurl');
  if (baseurl) {
    for (const url of baseurl.value.split(/[\s,]+/).filter(Boolean)) {
      const value = substitute(url, variables);
      if (!/^(file|https?):\/\//.test(value)) {
        throw malformed(file, baseurl.line, `key baseurl of [${section.id}] is "${value}"; Arbor reads file://, http:// and https:// repos`);
      }
      repo.baseurls.push(value);
    }
  }
  const gpgcheck = get('gpgcheck');
  if (gpgcheck) repo.gpgcheckLine = gpgcheck.line;
  const gpgkey = get('gpgkey');
  if (gpgkey) {
    repo.gpgkeyLine = gpgkey.line;
    // dnf reads gpgkey as a list: URLs separated by spaces, commas or continuation lines.
    for (const url of gpgkey.value.split(/[\s,]+/).filter(Boolean)) {
      const value = substitute(url, variables);
      if (!/^(file|https?):\/\//.test(value)) {
        throw malformed(file, gpgkey.line, `key gpgkey of [${section.id}] is "${value}"; Arbor reads key files from file://, http:// and https:// URLs`);
      }
      repo.gpgkeys.push(value);
    }
  }
  for (const key of ['metalink', 'mirrorlist'] as const) {
    const entry = get(key);
    if (entry && !repo.mirrors) repo.mirrors = { key, line: entry.line };
  }
  return repo;
}

/** dnf's substitution: `$name` and `${name}`; unknown variables stay as written. */
export function substitute(value: string, variables: RepoVariables): string {
  return value.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => variables[(braced ?? bare)!] ?? whole);
}

function malformed(file: string, line: number, message: string): ArborError {
  return new ArborError(LayerErrorCode.REPO_CONFIG_INVALID, `${file}:${line}: ${message}`, {
    hint: 'A .repo file is INI: [repo-id] sections of key=value lines (dnf.conf(5))',
  });
}
