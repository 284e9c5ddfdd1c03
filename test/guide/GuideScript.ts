import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BOOT_TAG, SHELL_LANGUAGE, type CodeBlock } from './GuideBlocks';

export interface GuideRunOptions {
  /** The page's blocks; the `sh` ones run, in order. */
  blocks: CodeBlock[];
  /** The page, for messages (`docs/guide.md:LINE`). */
  page: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Leave out the `sh boot` blocks (no qemu here, outside CI). */
  skipBoot: boolean;
  /** Where the script and its output go. */
  dir: string;
  timeoutMs: number;
}

export interface GuideRun {
  status: number | null;
  timedOut: boolean;
  /** stdout and stderr of the whole run, interleaved as written. */
  output: string;
  /** The `sh` blocks that ran to their end, and those left out as boot blocks. */
  completed: CodeBlock[];
  skipped: CodeBlock[];
  /** How long each completed block took. */
  seconds: Map<CodeBlock, number>;
  /** The block that was running when the script stopped, if it stopped early. */
  stoppedIn?: CodeBlock;
  shellBlocks: CodeBlock[];
}

const PROGRESS_VARIABLE = 'ARBOR_GUIDE_PROGRESS';

/**
 * Runs a page's `sh` blocks as one bash script under `set -euo pipefail`, so later blocks see
 * the variables, functions and working directory earlier ones set, as a reader's shell would.
 * Each block is framed by lines in a progress file: which block began and ended, and when. The script
 * runs in its own process group, killed whole on the timeout.
 */
export async function runGuideScript(options: GuideRunOptions): Promise<GuideRun> {
  const shellBlocks = options.blocks.filter((block) => block.language === SHELL_LANGUAGE);
  const skipped = options.skipBoot ? shellBlocks.filter((block) => block.tags.includes(BOOT_TAG)) : [];
  const script = ['set -euo pipefail'];
  shellBlocks.forEach((block, index) => {
    if (skipped.includes(block)) {
      script.push(`echo '##### ${options.page}:${block.line}: boot block left out (no qemu here)'`);
      return;
    }
    script.push(
      `echo "begin ${index} $EPOCHREALTIME" >>"$${PROGRESS_VARIABLE}"`,
      `echo '##### ${options.page}:${block.line}'`,
      block.code,
      `echo "end ${index} $EPOCHREALTIME" >>"$${PROGRESS_VARIABLE}"`,
    );
  });
  const scriptFile = path.join(options.dir, 'guide.sh');
  const progressFile = path.join(options.dir, 'progress');
  const outputFile = path.join(options.dir, 'output.log');
  fs.writeFileSync(scriptFile, `${script.join('\n')}\n`);
  fs.writeFileSync(progressFile, '');
  const out = fs.openSync(outputFile, 'w');
  let timedOut = false;
  let status: number | null;
  try {
    const child = spawn('bash', [scriptFile], {
      cwd: options.cwd,
      env: { ...options.env, [PROGRESS_VARIABLE]: progressFile },
      stdio: ['ignore', out, out],
      detached: true,
    });
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs);
    status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
    clearTimeout(timer);
  } finally {
    fs.closeSync(out);
  }
  const progress = fs.readFileSync(progressFile, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ') as [string, string, string]);
  const ended = new Set(progress.filter(([what]) => what === 'end').map(([, index]) => Number(index)));
  const seconds = new Map<number, number>();
  for (const [what, index, time] of progress) seconds.set(Number(index), (seconds.get(Number(index)) ?? 0) + (what === 'end' ? 1 : -1) * Number(time));
  const lastBegun = progress.filter(([what]) => what === 'begin').at(-1);
  const stoppedIn = lastBegun && !ended.has(Number(lastBegun[1])) ? shellBlocks[Number(lastBegun[1])] : undefined;
  return {
    status,
    timedOut,
    output: fs.readFileSync(outputFile, 'utf8'),
    completed: shellBlocks.filter((_, index) => ended.has(index)),
    seconds: new Map(shellBlocks.flatMap((block, index) => (ended.has(index) ? [[block, seconds.get(index)!] as const] : []))),
    skipped,
    stoppedIn,
    shellBlocks,
  };
}
