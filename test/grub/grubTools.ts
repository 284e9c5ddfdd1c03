import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ToolVerdict {
  ok: boolean;
  output: string;
}

/** GRUB's own parser as the oracle: `grub-script-check FILE` exits 0 only for a script GRUB accepts. */
export function grubScriptCheck(file: string): ToolVerdict {
  const run = spawnSync('grub-script-check', [file], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}`.trim() };
}

/** grub-script-check over text, through a temp file. */
export function grubScriptCheckText(text: string): ToolVerdict {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-check-'));
  try {
    const file = path.join(dir, 'grub.cfg');
    fs.writeFileSync(file, text);
    return grubScriptCheck(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `grub-editenv FILE list` as NAME=VALUE lines (values with newlines span lines, as it prints them). */
export function grubEditenvList(file: string): string {
  const run = spawnSync('grub-editenv', [file, 'list'], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`grub-editenv ${file} list exited ${run.status}: ${run.stderr.trim()}`);
  return run.stdout;
}

export function grubEditenv(file: string, ...args: string[]): void {
  const run = spawnSync('grub-editenv', [file, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`grub-editenv ${file} ${args.join(' ')} exited ${run.status}: ${run.stderr.trim()}`);
}
