import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export interface BootResult {
  /** Everything the guest wrote on the serial console. */
  console: string;
  /** `ARBOR-<KEY> value` lines of the test OS's init, by key. */
  report: Map<string, string>;
  seconds: number;
}

export interface BootOptions {
  disk: string;
  /** Where the firmware's variable store copy lives (one per machine, kept across boots). */
  varsFile: string;
  timeoutSeconds: number;
  label: string;
}

/**
 * Boots the disk under qemu with OVMF, TCG only (/dev/kvm exists here but hangs under nested
 * virtualization), the serial console on stdout, and no reboot: the test OS powers off when it
 * is done, and a panic or a firmware reset ends qemu too. Rejects on timeout with the console.
 */
export function bootDisk(options: BootOptions): Promise<BootResult> {
  if (!fs.existsSync(options.varsFile)) fs.copyFileSync(OVMF_VARS, options.varsFile);
  const args = [
    '-accel', 'tcg', '-machine', 'q35', '-m', '512', '-smp', '1',
    '-display', 'none', '-vga', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-nodefaults',
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${options.varsFile}`,
    '-drive', `if=virtio,format=raw,file=${options.disk}`,
  ];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let console = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      console += chunk;
      // The initramfs dropped to its shell: nothing more will happen, so stop waiting now.
      if (/dropping to a shell/.test(chunk)) setTimeout(() => child.kill('SIGKILL'), 500);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label}: no power-off within ${options.timeoutSeconds} s; console:\n${tail(console)}`));
    }, options.timeoutSeconds * 1000);
    child.once('error', (error) => { clearTimeout(timer); reject(error); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0 || /dropping to a shell/.test(console)) {
        reject(new Error(`${options.label}: qemu exited ${code}: ${stderr}\nconsole:\n${tail(console)}`));
        return;
      }
      resolve({ console, report: parseReport(console), seconds });
    });
  });
}

function parseReport(console: string): Map<string, string> {
  const report = new Map<string, string>();
  for (const line of console.split(/\r?\n/)) {
    const match = /^ARBOR-([A-Z-]+)(?: (.*))?$/.exec(line.trim());
    if (match) report.set(match[1]!, (match[2] ?? '').trim());
  }
  return report;
}

function tail(text: string): string {
  return text.split('\n').slice(-60).join('\n');
}

/** Writes the console of a boot next to the test's work files, for a post-mortem. */
export function saveConsole(dir: string, label: string, console: string): void {
  fs.writeFileSync(path.join(dir, `console-${label.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`), console);
}
