import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Debian's OVMF (package `ovmf`): the firmware code, read-only, and a template for its variable store. */
const OVMF_PAIRS = [
  ['/usr/share/OVMF/OVMF_CODE_4M.fd', '/usr/share/OVMF/OVMF_VARS_4M.fd'],
  ['/usr/share/OVMF/OVMF_CODE.fd', '/usr/share/OVMF/OVMF_VARS.fd'],
] as const;

/** systemd-boot's EFI binary, from Debian's `systemd-boot-efi`. */
export const SYSTEMD_BOOT_EFI = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';

/** What each Debian package of the harness provides, checked by path or by a tool on PATH. */
const PACKAGES: Record<string, () => boolean> = {
  'qemu-system-x86': () => onPath('qemu-system-x86_64'),
  ovmf: () => OVMF_PAIRS.some(([code]) => fs.existsSync(code)),
  'systemd-boot-efi': () => fs.existsSync(SYSTEMD_BOOT_EFI),
  mtools: () => onPath('mcopy'),
  dosfstools: () => onPath('mkfs.fat'),
  'busybox-static': () => isStaticBusybox('/bin/busybox'),
};

/** The Debian packages a UEFI test boot needs that this machine lacks (`extra` adds e.g. 'systemd-boot-efi'). */
export function missingBootPackages(extra: string[] = []): string[] {
  const wanted = ['qemu-system-x86', 'ovmf', 'mtools', 'dosfstools', 'busybox-static', ...extra];
  return wanted.filter((name) => !(PACKAGES[name]?.() ?? false));
}

/**
 * Skips the test, naming the missing Debian packages, when a UEFI boot cannot run here; in CI
 * (CI=true) a missing package is a failure instead, since .ci/run installs them.
 */
export function requireUefiBoot(ctx: Mocha.Context, extra: string[] = []): void {
  const missing = missingBootPackages(extra);
  if (missing.length === 0) return;
  const message = `needs the Debian package(s) ${missing.join(', ')}`;
  if (process.env.CI) throw new Error(`${message} (CI installs them in .ci/run)`);
  console.log(`      skipped: ${message}`);
  ctx.skip();
}

export interface UefiBootOptions {
  /** Raw disk images, attached as virtio disks in order (OVMF boots the first that has an ESP). */
  disks: string[];
  /** Hard limit; the machine is killed (SIGKILL to our qemu child) after it. Default 90 s. */
  timeoutMs?: number;
  memoryMiB?: number;
  /** A variable store to use and keep (EFI variables that persist across boots); a fresh copy otherwise. */
  varsFile?: string;
}

export interface BootResult {
  /** Everything the machine wrote on its first serial port: firmware, bootloader and our init. */
  console: string;
  durationMs: number;
  /** qemu's exit status; 0 after the guest powered off. */
  exitCode: number | null;
  timedOut: boolean;
}

/**
 * Boots a machine under qemu with OVMF: q35, TCG only (nested /dev/kvm hangs here), no
 * network, no display, the first serial port to a file, and `-no-reboot` so a guest reset or
 * panic ends the run. Resolves when qemu exits: the guest powered off, or the timeout killed it.
 */
export async function bootUefi(options: UefiBootOptions): Promise<BootResult> {
  const pair = OVMF_PAIRS.find(([code]) => fs.existsSync(code));
  if (!pair) throw new Error('no OVMF firmware in /usr/share/OVMF (Debian package ovmf)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-qemu-'));
  const serial = path.join(work, 'serial.txt');
  let vars = options.varsFile;
  if (!vars) {
    vars = path.join(work, 'vars.fd');
    fs.copyFileSync(pair[1], vars);
  } else if (!fs.existsSync(vars)) {
    fs.copyFileSync(pair[1], vars);
  }
  const args = [
    '-machine', 'q35', '-accel', 'tcg', '-smp', '1', '-m', String(options.memoryMiB ?? 512),
    '-nodefaults', '-display', 'none', '-no-reboot', '-nic', 'none',
    '-serial', `file:${serial}`,
    '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${pair[0]}`,
    '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
    ...options.disks.flatMap((disk, index) => ['-drive', `if=none,format=raw,id=disk${index},file=${disk}`, '-device', `virtio-blk-pci,drive=disk${index}`]),
  ];
  const started = process.hrtime.bigint();
  const child = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 90_000);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => resolve(code));
    });
    const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    const console = (fs.existsSync(serial) ? fs.readFileSync(serial, 'utf8') : '') + (stderr ? `\n[qemu stderr] ${stderr}` : '');
    return { console, durationMs, exitCode, timedOut };
  } finally {
    clearTimeout(timer);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Collects boot durations and prints them as one table at the end of a suite. */
export class BootTimings {
  private readonly rows: { label: string; ms: number; outcome: string }[] = [];

  get count(): number {
    return this.rows.length;
  }

  add(label: string, result: BootResult, outcome: string): void {
    this.rows.push({ label, ms: result.durationMs, outcome: result.timedOut ? `TIMEOUT (${outcome})` : outcome });
  }

  format(title: string): string {
    const width = Math.max(4, ...this.rows.map((row) => row.label.length));
    const lines = [`${title}`, `  ${'boot'.padEnd(width)}  seconds  result`];
    for (const row of this.rows) lines.push(`  ${row.label.padEnd(width)}  ${(row.ms / 1000).toFixed(1).padStart(7)}  ${row.outcome}`);
    const total = this.rows.reduce((sum, row) => sum + row.ms, 0);
    lines.push(`  ${'total'.padEnd(width)}  ${(total / 1000).toFixed(1).padStart(7)}`);
    return lines.join('\n');
  }
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** busybox-static's /bin/busybox is an ELF with no PT_INTERP (checked by its "static" self-report). */
function isStaticBusybox(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const head = fs.readFileSync(file).subarray(0, 4096);
  // A dynamic ELF names its loader in PT_INTERP, e.g. /lib64/ld-linux-x86-64.so.2, near the start.
  return head.subarray(0, 4).toString('latin1') === '\x7fELF' && !head.includes('ld-linux');
}
