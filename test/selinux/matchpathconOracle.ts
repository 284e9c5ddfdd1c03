import { execFile } from 'node:child_process';

/** matchpathcon's -m letters for S_IFMT values. */
export const MODE_LETTERS: ReadonlyMap<number, string> = new Map([
  [0o100000, 'f'], [0o040000, 'd'], [0o120000, 'l'], [0o060000, 'b'], [0o020000, 'c'], [0o010000, 'p'], [0o140000, 's'],
]);

export interface LabelQuery {
  /** A latin1 byte string. */
  path: string;
  /** S_IFMT bits. */
  mode: number;
}

/** Leaves room under ARG_MAX (2 MiB here, arguments and environment together). */
const MAX_ARG_BYTES = 1_000_000;
const PARALLEL = 2;

/**
 * Asks Debian's matchpathcon (libselinux) for each query's context: `matchpathcon -N -n
 * -f FILE_CONTEXTS -m TYPE PATH...`, as many paths per run as the argument list holds, two runs
 * at a time. -n prints only the context, one line per path, so the answers line up with the
 * queries whatever bytes the paths hold. Returns the contexts in query order (`<<none>>` for none).
 */
export async function matchpathcon(fileContexts: string, queries: readonly LabelQuery[]): Promise<string[]> {
  const answers = new Array<string>(queries.length);
  const batches: Array<{ mode: number; indices: number[] }> = [];
  for (const mode of MODE_LETTERS.keys()) {
    let batch: number[] = [];
    let bytes = 0;
    queries.forEach((query, index) => {
      if (query.mode !== mode) return;
      if (bytes + query.path.length + 1 > MAX_ARG_BYTES) {
        batches.push({ mode, indices: batch });
        [batch, bytes] = [[], 0];
      }
      batch.push(index);
      bytes += query.path.length + 1;
    });
    if (batch.length > 0) batches.push({ mode, indices: batch });
  }
  const run = async ({ mode, indices }: { mode: number; indices: number[] }): Promise<void> => {
    const args = ['-N', '-n', '-f', fileContexts, '-m', MODE_LETTERS.get(mode)!, '--', ...indices.map((index) => Buffer.from(queries[index]!.path, 'latin1').toString('utf8'))];
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('matchpathcon', args, { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 }, (error, out, stderr) =>
        error ? reject(new Error(`matchpathcon failed: ${stderr || error.message}`)) : resolve(out),
      ),
    );
    const lines = stdout.split('\n');
    lines.pop();
    if (lines.length !== indices.length) throw new Error(`matchpathcon answered ${lines.length} of ${indices.length} paths`);
    indices.forEach((index, i) => (answers[index] = lines[i]!));
  };
  const queue = [...batches];
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) await run(batch);
  }));
  return answers;
}
