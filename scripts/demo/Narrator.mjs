// How the demo talks: a heading per step, a few lines saying what happens, and every command
// it runs shown as a user would type it (the work dir as $DEMO), with its output.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './sampleOs.mjs';

const ARBOR_BIN = path.join(REPO_ROOT, 'core', 'bin', 'run.js');
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

export class Narrator {
  /** @param {string} work the demo's temp dir, shown as $DEMO */
  constructor(work) {
    this.work = work;
    this.started = performance.now();
    this.step = 0;
  }

  /** A new step: its title and what it is about, in a few lines. */
  heading(title, ...lines) {
    this.step += 1;
    console.log(`\n${bold(`== ${this.step}. ${title}`)}`);
    for (const line of lines) console.log(`   ${line}`);
  }

  say(line) {
    console.log(`   ${line}`);
  }

  shown(text) {
    return String(text).replaceAll(this.work, '$DEMO');
  }

  /**
   * Runs the real `arbor` CLI in `cwd` (where it finds that side's arbor.config.json), shows
   * the command with the directory's name as the prompt, and its output. Throws on failure.
   */
  async arbor(cwd, ...args) {
    console.log(`${path.basename(cwd)}$ arbor ${this.shown(args.map(quote).join(' '))}`);
    const result = await this.#run(cwd, args);
    // Progress and notes (stderr) come before the result (stdout) in what a terminal would show.
    const output = `${result.stderr}${result.stdout}`.trimEnd();
    if (output) console.log(this.shown(output));
    if (result.status !== 0) throw new Error(`arbor ${this.shown(args.join(' '))} exited ${result.status}`);
    return result.stdout.trim();
  }

  /** The same CLI for the demo's own look-ups (`--json`), not shown. */
  async arborJson(cwd, ...args) {
    const result = await this.#run(cwd, [...args, '--json']);
    if (result.status !== 0) throw new Error(`arbor ${this.shown(args.join(' '))} exited ${result.status}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** Async, so a signal reaches the demo's handlers while a command runs. */
  #run(cwd, args) {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [ARBOR_BIN, ...args], { cwd, env: { ...process.env, DEBUG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  seconds() {
    return (performance.now() - this.started) / 1000;
  }
}

function quote(arg) {
  return /^[\w./:=@+,^-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}
