import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../support/runArbor';

/**
 * What Debian's rpm says about packages: the oracle the RPM reader and installer are held to.
 * Every query passes --nosignature, as fixtures/rpm/EXPECTED.txt was made: Arbor checks digests,
 * not OpenPGP signatures (rpm 4.18 cannot even parse some of the newer ones).
 */

/** One line of `rpm -qp --dump`: path size mtime digest mode owner group isconfig isdoc rdev symlink. */
export interface DumpLine {
  path: string;
  size: number;
  mtime: number;
  digest: string;
  mode: number;
  user: string;
  group: string;
  config: boolean;
  doc: boolean;
  linkTo: string;
}

/** `rpm -qp --dump`, parsed; `knownPaths` resolves paths with spaces (the dump does not quote). */
export function rpmDump(file: string, knownPaths: string[]): DumpLine[] {
  const output = execFileSync('rpm', ['-qp', '--nosignature', '--dump', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  if (output.trim() === '(contains no files)') return [];
  const byLength = [...knownPaths].sort((a, b) => b.length - a.length);
  return output.split('\n').filter(Boolean).map((line) => {
    const filePath = byLength.find((known) => line.startsWith(`${known} `)) ?? line.slice(0, line.indexOf(' '));
    const fields = line.slice(filePath.length + 1).split(' ');
    return {
      path: filePath,
      size: Number(fields[0]),
      mtime: Number(fields[1]),
      digest: /^0+$/.test(fields[2]!) ? '' : fields[2]!,
      mode: parseInt(fields[3]!, 8),
      user: fields[4]!,
      group: fields[5]!,
      config: fields[6] === '1',
      doc: fields[7] === '1',
      linkTo: fields.slice(9).join(' ') === 'X' ? '' : fields.slice(9).join(' '),
    };
  });
}

/** Unit and record separators: file names and script bodies hold spaces and newlines. */
const FIELD = '\u001f';
const RECORD = '\u001e';

/** `rpm -qp --qf` for one package: its tags, one value per line, array tags as lists. */
export interface RpmQuery {
  name: string;
  epoch: string;
  version: string;
  release: string;
  arch: string;
  payloadCompressor: string;
  fileFlags: Map<string, number>;
  fileCaps: Map<string, string>;
  dependencies: Record<string, string[]>;
  scripts: Record<string, string>;
}

const DEPENDENCY_TAGS = {
  requires: 'REQUIRENEVRS',
  provides: 'PROVIDENEVRS',
  conflicts: 'CONFLICTNEVRS',
  obsoletes: 'OBSOLETENEVRS',
  recommends: 'RECOMMENDNEVRS',
  suggests: 'SUGGESTNEVRS',
  supplements: 'SUPPLEMENTNEVRS',
  enhances: 'ENHANCENEVRS',
} as const;

const SCRIPT_TAGS = { prein: 'PREIN', postin: 'POSTIN', preun: 'PREUN', postun: 'POSTUN', pretrans: 'PRETRANS', posttrans: 'POSTTRANS' } as const;

export function rpmQuery(file: string): RpmQuery {
  const deps = Object.entries(DEPENDENCY_TAGS).map(([kind, tag]) => `[${kind}${FIELD}%{${tag}}${RECORD}]`).join('');
  const scripts = Object.entries(SCRIPT_TAGS).map(([kind, tag]) => `script${FIELD}${kind}${FIELD}%{${tag}}${RECORD}`).join('');
  const format = `nevra${FIELD}%{NAME}${FIELD}%{EPOCH}${FIELD}%{VERSION}${FIELD}%{RELEASE}${FIELD}%{ARCH}${FIELD}%{PAYLOADCOMPRESSOR}${RECORD}` +
    `[file${FIELD}%{FILENAMES}${FIELD}%{FILEFLAGS}${FIELD}%{FILECAPS}${RECORD}]${deps}${scripts}`;
  const output = execFileSync('rpm', ['-qp', '--nosignature', '--qf', format, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const query: RpmQuery = {
    name: '', epoch: '', version: '', release: '', arch: '', payloadCompressor: '',
    fileFlags: new Map(), fileCaps: new Map(), dependencies: {}, scripts: {},
  };
  for (const kind of Object.keys(DEPENDENCY_TAGS)) query.dependencies[kind] = [];
  for (const line of output.split(RECORD)) {
    const [kind, ...fields] = line.split(FIELD);
    if (kind === 'nevra') [query.name, query.epoch, query.version, query.release, query.arch, query.payloadCompressor] = fields as [string, string, string, string, string, string];
    else if (kind === 'file') {
      query.fileFlags.set(fields[0]!, Number(fields[1]));
      query.fileCaps.set(fields[0]!, fields[2] === '(none)' ? '' : fields[2]!);
    } else if (kind === 'script') {
      if (fields[1] !== '(none)') query.scripts[fields[0]!] = fields[1]!;
    } else if (kind && kind in DEPENDENCY_TAGS) query.dependencies[kind]!.push(fields.join(FIELD));
  }
  return query;
}

/** rpm -K: whether rpm itself accepts the package's digests. */
export function rpmVerifiesDigests(file: string): boolean {
  return spawnSync('rpm', ['-K', '--nosignature', file], { stdio: 'ignore' }).status === 0;
}

/** One line of fixtures/rpm/EXPECTED.txt: what rpm said about a fixture when it was collected. */
export interface ExpectedFixture {
  /** Relative to the fixtures folder, e.g. `rpm/rpmfile-py/hello.rpm`. */
  path: string;
  name: string;
  version: string;
  release: string;
  arch: string;
  payloadCompressor: string;
  files: number;
}

export function expectedFixtures(): ExpectedFixture[] {
  const text = fs.readFileSync(path.join(FIXTURES, 'rpm', 'EXPECTED.txt'), 'utf8');
  return text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const [file, nevra, counts] = line.split(' | ') as [string, string, string];
    const [name, version, release, arch, payloadCompressor] = nevra.split(' ') as [string, string, string, string, string];
    return { path: file, name, version, release, arch, payloadCompressor, files: Number(/files=(\d+)/.exec(counts)![1]) };
  });
}

/** Every RPM file under fixtures/rpm and fixtures/repodata, relative to the fixtures folder. */
export function fixtureRpms(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(FIXTURES, dir), { withFileTypes: true })) {
      const relative = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(relative);
      else if (/\.rpm(-v\d)?$/.test(entry.name)) found.push(relative);
    }
  };
  walk('rpm');
  walk('repodata');
  return found.sort();
}
