import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { hostPaths } from './hostPaths';
import { matchpathcon, MODE_LETTERS } from './matchpathconOracle';

/**
 * The raw `security.selinux` value of every entry of a directory as `getfattr -R -h -d -e hex`
 * prints it, keyed by the path inside the directory ('/' for itself) as a latin1 byte string.
 */
export function getfattrLabels(dir: string): Map<string, string> {
  const dump = execFileSync('getfattr', ['-R', '-h', '-d', '-m', '^security\\.selinux$', '-e', 'hex', '--absolute-names', dir], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
  const labels = new Map<string, string>();
  let file: string | undefined;
  for (const line of dump.split('\n')) {
    if (line.startsWith('# file: ')) file = unescapeGetfattr(line.slice('# file: '.length));
    else if (line.startsWith('security.selinux=0x') && file !== undefined) {
      const relative = file === dir ? '/' : file.slice(dir.length);
      labels.set(relative, Buffer.from(line.slice('security.selinux=0x'.length), 'hex').toString('latin1'));
    }
  }
  return labels;
}

/** getfattr writes bytes outside printable ASCII, and backslash, as \ooo octal. */
function unescapeGetfattr(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8))).replace(/\\\\/g, '\\');
}

/** Where a checkout's path lives at runtime: usr/etc is deployed as /etc (ostree's rule). */
export function runtimePath(treePath: string): string {
  if (treePath === '/usr/etc') return '/etc';
  return treePath.startsWith('/usr/etc/') ? treePath.slice(4) : treePath;
}

/**
 * Checks every entry of a checkout: its security.selinux xattr is matchpathcon's context for its
 * runtime path and type plus the NUL libselinux stores, or absent where matchpathcon says
 * <<none>>. Returns how many entries were checked and how many carry a label.
 */
export async function assertLabelsMatchMatchpathcon(checkout: string, fileContexts: string): Promise<{ checked: number; labeled: number }> {
  const entries = hostPaths([checkout]).map((entry) => {
    const treePath = entry.path === checkout ? '/' : entry.path.slice(checkout.length);
    return { treePath, path: runtimePath(treePath), mode: entry.mode };
  });
  const expected = await matchpathcon(fileContexts, entries);
  const actual = getfattrLabels(checkout);
  const mismatches: string[] = [];
  entries.forEach((entry, index) => {
    const want = expected[index] === '<<none>>' ? undefined : `${expected[index]}\0`;
    const got = actual.get(entry.treePath);
    if (got !== want) mismatches.push(`${MODE_LETTERS.get(entry.mode)} ${entry.treePath} (as ${entry.path}): getfattr ${JSON.stringify(got)}, matchpathcon ${JSON.stringify(want)}`);
  });
  for (const line of mismatches) console.log(`      MISMATCH ${line}`);
  assert.equal(mismatches.length, 0, `${mismatches.length} of ${entries.length} labels differ from matchpathcon`);
  return { checked: entries.length, labeled: [...actual.keys()].length };
}
