import fs from 'node:fs';
import path from 'node:path';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';
import { startArborServe } from '../replication/replicationFixture';
import { runArbor, type ArborRun } from '../support/runArbor';
import { bootUefi, BootTimings, testKernel, type BootResult, type TestKernel } from '../support/qemu';
import { BootDisk } from './BootDisk';
import { buildTestInitramfs } from './TestInitramfs';
import { basePackage, kernelPackage, type OsVersionSpec } from './TestOs';

export const REF = 'arbor-test/x86_64/boot';
export const STATEROOT = 'os';
/** No console=ttyS0: the kernel's log costs seconds under TCG; the test OS writes to ttyS0 itself. */
export const KARGS = ['root=/dev/vda2', 'quiet', 'panic=-1'];

export function arborOk(...args: string[]): ArborRun {
  const run = runArbor(args);
  if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
  return run;
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
  private server?: { url: string; stop(): Promise<void> };

  private readonly composeConfig: string;

  private constructor(readonly work: string, readonly kernel: TestKernel, private readonly kernelRpm: TestPackage) {
    this.rpms = path.join(work, 'rpms');
    this.serverRepo = path.join(work, 'server-repo');
    this.key = path.join(work, 'signing.key');
    this.composeConfig = path.join(work, 'compose.config.json');
  }

  static async create(work: string): Promise<OsBuild> {
    const kernel = testKernel();
    const initramfs = path.join(work, 'initramfs.img');
    fs.writeFileSync(initramfs, buildTestInitramfs(kernel));
    const build = new OsBuild(work, kernel, kernelPackage(kernel, initramfs));
    fs.writeFileSync(build.composeConfig, JSON.stringify({ preset: 'fedora' }));
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
    const composed = arborOk('compose', 'tree', treefile, '--repo', this.serverRepo, '--config', this.composeConfig, '--sign-key', this.key, '--json').json<{ commit: string }>();
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
 * loop-mounted on the host, as an installer or a rescue system would, with a config that
 * registers the machine's bootloader writer.
 */
export class TestMachine {
  readonly disk: BootDisk;
  /** The ESP's content, kept on the host (no vfat here) and written into the FAT partition before each boot. */
  readonly esp: string;
  readonly mnt: string;
  readonly config: string;
  private readonly vars: string;

  constructor(readonly work: string, readonly name: string, readonly bootloader: 'systemd-boot' | 'grub', private readonly timings: BootTimings) {
    fs.mkdirSync(work, { recursive: true });
    this.disk = BootDisk.create(path.join(work, 'disk.img'), { espMiB: 48, rootMiB: 320 });
    this.esp = path.join(work, 'esp');
    this.mnt = path.join(work, 'mnt');
    this.vars = path.join(work, 'OVMF_VARS.fd');
    this.config = path.join(work, 'arbor.config.json');
    fs.writeFileSync(this.config, JSON.stringify({ plugins: [bootloader] }));
    fs.mkdirSync(this.esp, { recursive: true });
  }

  /** Runs `body` with the root partition mounted at `this.mnt` (the sysroot). */
  withSysroot<T>(body: (sysroot: string) => Promise<T> | T): Promise<T> {
    return this.disk.withRoot(this.mnt, body);
  }

  arbor(...args: string[]): ArborRun {
    return arborOk(...args, '--sysroot', this.mnt, '--config', this.config);
  }

  /** Writes the ESP directory into the disk's FAT partition, boots, and records the time. */
  async boot(label: string): Promise<BootResult & { report: Map<string, string> }> {
    this.disk.writeEsp(this.esp, this.work);
    const result = await bootUefi({ disks: [this.disk.file], varsFile: this.vars, timeoutMs: 120_000 });
    fs.writeFileSync(path.join(this.work, `console-${label.replace(/[^A-Za-z0-9.-]+/g, '_')}.log`), result.console);
    const report = parseReport(result.console);
    this.timings.add(`${this.name}: ${label}`, result, report.has('BOOTED') ? `booted ${report.get('BOOTED')!.split(' ')[1]}` : 'no report');
    return { ...result, report };
  }
}

/** The test OS init's `ARBOR-<KEY> value` lines, by key. */
function parseReport(console: string): Map<string, string> {
  const report = new Map<string, string>();
  for (const line of console.split(/\r?\n/)) {
    const match = /^ARBOR-([A-Z-]+)(?: (.*))?$/.exec(line.trim());
    if (match) report.set(match[1]!, (match[2] ?? '').trim());
  }
  return report;
}
