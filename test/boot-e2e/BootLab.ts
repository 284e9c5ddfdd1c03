import fs from 'node:fs';
import path from 'node:path';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { startArborServe } from '../replication/replicationFixture';
import { runArbor, type ArborRun } from '../support/runArbor';
import { BootDisk } from './BootDisk';
import { fetchDebianKernel, type DebianKernel } from './DebianKernel';
import { bootDisk, saveConsole, type BootResult } from './QemuBoot';
import { buildTestInitramfs } from './TestInitramfs';
import { basePackage, kernelPackage, type OsVersionSpec } from './TestOs';

export const REF = 'arbor-test/x86_64/boot';
export const STATEROOT = 'os';
export const KARGS = ['root=/dev/vda2', 'console=ttyS0,115200', 'panic=-1', 'loglevel=4'];

export function arborOk(...args: string[]): ArborRun {
  const run = runArbor(args);
  if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
  return run;
}

/** One boot's line in the timing table. */
export interface BootTiming {
  label: string;
  seconds: number;
}

/**
 * The build side of the boot test, shared by every bootloader's flow: the test OS's RPMs (a
 * real Debian kernel, busybox, the init), an archive repo composed from them, signed and
 * served by `arbor serve`, and the signing key clients verify against.
 */
export class OsBuild {
  readonly rpms: string;
  readonly serverRepo: string;
  readonly key: string;
  readonly config: string;
  private server?: { url: string; stop(): Promise<void> };

  private constructor(readonly work: string, readonly kernel: DebianKernel, private readonly kernelRpm: TestPackage) {
    this.rpms = path.join(work, 'rpms');
    this.serverRepo = path.join(work, 'server-repo');
    this.key = path.join(work, 'signing.key');
    this.config = path.join(work, 'arbor.config.json');
  }

  static async create(work: string): Promise<OsBuild> {
    const kernel = fetchDebianKernel();
    const initramfs = path.join(work, 'initramfs.img');
    buildTestInitramfs(kernel, initramfs, work);
    const build = new OsBuild(work, kernel, kernelPackage(kernel, initramfs));
    fs.writeFileSync(build.config, JSON.stringify({ preset: 'fedora' }));
    arborOk('init', '--repo', build.serverRepo, '--mode', 'archive');
    arborOk('key', 'generate', '--out', build.key);
    return build;
  }

  get url(): string {
    if (!this.server) throw new Error('the repo is not served yet');
    return this.server.url;
  }

  /** Builds this version's base RPM (beside the earlier ones), composes and signs the commit, and signs the new summary. */
  compose(spec: OsVersionSpec, first: boolean): string {
    buildTestRepo(this.rpms, first ? [basePackage(spec), this.kernelRpm] : [basePackage(spec)], path.join(this.work, 'rpmbuild'));
    const treefile = path.join(this.work, `treefile-${spec.version}.json`);
    fs.writeFileSync(treefile, JSON.stringify({ ref: REF, repos: [this.rpms], packages: ['arbor-test-os', 'arbor-test-kernel'], scriptlets: false }));
    const composed = arborOk('compose', 'tree', treefile, '--repo', this.serverRepo, '--config', this.config, '--sign-key', this.key, '--json').json<{ commit: string }>();
    arborOk('summary', '--repo', this.serverRepo, '--sign-key', this.key);
    return composed.commit;
  }

  async serve(): Promise<void> {
    this.server = await startArborServe(this.serverRepo);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/**
 * One machine: a disk with an ESP and an ext4 root holding an Arbor sysroot, its firmware
 * variables, and the boots it made. Every arbor command runs against the root partition
 * loop-mounted on the host, as an installer or a rescue system would.
 */
export class TestMachine {
  readonly disk: BootDisk;
  readonly esp: string;
  readonly mnt: string;
  readonly timings: BootTiming[] = [];
  private readonly vars: string;

  constructor(readonly work: string, readonly name: string, readonly bootloader: string) {
    fs.mkdirSync(work, { recursive: true });
    this.disk = BootDisk.create(path.join(work, 'disk.img'), { espMiB: 48, rootMiB: 320 });
    this.esp = path.join(work, 'esp');
    this.mnt = path.join(work, 'mnt');
    this.vars = path.join(work, 'OVMF_VARS.fd');
    fs.mkdirSync(this.esp, { recursive: true });
  }

  /** Runs `body` with the root partition mounted at `this.mnt` (the sysroot). */
  withSysroot<T>(body: (sysroot: string) => Promise<T> | T): Promise<T> {
    return this.disk.withRoot(this.mnt, body);
  }

  arbor(...args: string[]): ArborRun {
    return arborOk(...args, '--sysroot', this.mnt);
  }

  /** Writes the ESP directory into the disk's FAT partition, boots, and records the time. */
  async boot(label: string, timeoutSeconds = 90): Promise<BootResult> {
    this.disk.writeEsp(this.esp, this.work);
    const result = await bootDisk({ disk: this.disk.file, varsFile: this.vars, timeoutSeconds, label: `${this.name} ${label}` });
    saveConsole(this.work, label, result.console);
    this.timings.push({ label: `${this.name}: ${label}`, seconds: result.seconds });
    return result;
  }
}

/** The timing table the test prints: one row per boot, and the total against the budget. */
export function formatTimings(timings: BootTiming[], budgetSeconds: number): string {
  const width = Math.max(...timings.map((timing) => timing.label.length), 5);
  const rows = timings.map((timing) => `  ${timing.label.padEnd(width)}  ${timing.seconds.toFixed(1).padStart(6)} s`);
  const total = timings.reduce((sum, timing) => sum + timing.seconds, 0);
  return [`  ${'boot'.padEnd(width)}  ${'qemu'.padStart(8)}`, ...rows, `  ${'total'.padEnd(width)}  ${total.toFixed(1).padStart(6)} s (budget ${budgetSeconds} s)`].join('\n');
}
