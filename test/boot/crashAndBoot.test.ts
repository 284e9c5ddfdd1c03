import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootEntry } from '@arbor/core';
import { ARBOR_BIN } from '../support/runArbor';
import { requireRoot, requireTool } from '../support/requireTool';
import { BootTimings, missingBootPackages, requireUefiBoot } from '../support/qemu';
import { readStatus, Sysroot } from '@arbor/core/sysroot';
import { BootSysroot, bootctlEntries, bootctlListing, filesUnder, type BootFiles } from './BootSysroot';
import { EspMachine, realBootFiles } from './EspMachine';

const KILLS = 30;
/** Kills after which the machine really boots: spread over the loop. */
const BOOT_AFTER = new Set([7, 17, 27]);
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * Crash and boot: an `arbor deploy` (or rollback, or cleanup) is SIGKILLed at a random
 * instant, 30 times in a row, each time from whatever the last kill left. After every kill the
 * ESP must boot one of the two complete boot sets: every `.conf` there parses; the default
 * entry, and every entry of its set, names a kernel and initramfs whose bytes are whole and an
 * `arbor=` that resolves to a complete deployment; and that deployment is the old default or
 * the one the killed command was making the default. Three of the kills are followed by a
 * real boot under qemu, which must boot exactly the deployment bootctl calls the default.
 */
describe('crash and boot: systemd-boot after SIGKILL at a random point', function () {
  this.timeout(900_000);
  const timings = new BootTimings();
  let scratch: string;
  let sysroot: BootSysroot;
  let machine: EspMachine | undefined;
  const commits: string[] = [];
  /** sha256 of every kernel and initramfs a version ships: a file on the ESP must be one of them, whole. */
  const wholeFiles = new Set<string>();

  before(async function () {
    requireTool(this, 'bootctl', 'mount');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-crash-'));
    sysroot = BootSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'systemd-boot' });
    fs.mkdirSync(path.join(sysroot.esp, 'loader'), { recursive: true });
    fs.writeFileSync(path.join(sysroot.esp, 'loader', 'loader.conf'), 'timeout 0\n');
    const canBoot = missingBootPackages(['systemd-boot-efi']).length === 0;
    if (canBoot) machine = new EspMachine(sysroot.esp, scratch);
    for (const version of ['1', '2', '3']) {
      // Real kernels when the machine can boot them: their 8 MB copies widen the window a kill can land in.
      const files: BootFiles = machine ? realBootFiles(machine.kernel, version) : { kernelVersion: '6.1.0-test', vmlinuz: `vmlinuz ${version}\n`.repeat(200_000), initramfs: `initramfs ${version}\n` };
      wholeFiles.add(sha(files.vmlinuz)).add(sha(files.initramfs));
      commits.push(await sysroot.commit(scratch, version, files));
    }
    sysroot.run('deploy', commits[0]!, '--karg', 'panic=-1');
  });

  after(() => {
    if (timings.count > 0) console.log(timings.format('      boots after a SIGKILL (TCG)'));
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** The deployment (`<commit>.<serial>`) of bootctl's default entry, after checking its whole set. */
  function checkBootable(step: string): { deployment: string; commit: string; order: string[]; sets: number } {
    const entriesDir = path.join(sysroot.esp, 'loader', 'entries');
    for (const name of fs.readdirSync(entriesDir).filter((file) => file.endsWith('.conf'))) {
      const entry = BootEntry.parse(fs.readFileSync(path.join(entriesDir, name), 'utf8'), name);
      assert.ok(entry.get('title') && entry.get('linux') && entry.get('options'), `${step}: ${name} is a whole entry`);
    }
    const { entries: listed, defaultId } = bootctlListing(sysroot.esp);
    const defaultEntry = listed.find((entry) => entry.id === defaultId);
    assert.ok(defaultEntry, `${step}: bootctl lists a default entry`);
    const setOf = (id: string) => /^arbor-([0-9a-f]{12})-/.exec(id)?.[1];
    const set = listed.filter((entry) => setOf(entry.id) === setOf(defaultEntry.id));
    for (const entry of set) {
      for (const file of [entry.linux!, ...(entry.initrd ?? [])]) {
        const onEsp = path.join(sysroot.esp, file);
        assert.ok(fs.existsSync(onEsp), `${step}: ${entry.id} names ${file}, which is on the ESP`);
        assert.ok(wholeFiles.has(sha(fs.readFileSync(onEsp))), `${step}: ${file} is whole`);
      }
      assert.ok(sysroot.resolveArborArgument(entry.options ?? ''), `${step}: ${entry.id} boots a complete deployment (${entry.options})`);
    }
    const deployment = sysroot.resolveArborArgument(defaultEntry.options ?? '')!;
    // The default's set in boot order (bootctl lists the highest K first): what the ESP boots.
    const order = set.map((entry) => sysroot.resolveArborArgument(entry.options ?? '')!.split('.')[0]!);
    return { deployment, commit: deployment.split('.')[0]!, order, sets: new Set(listed.map((entry) => setOf(entry.id))).size };
  }

  /** The commits of a swap a kill interrupted (`arbor/boot.pending -> boot.<B>`), in its boot order. */
  function pendingOrder(): string[] | undefined {
    try {
      const version = fs.readlinkSync(path.join(sysroot.root, 'arbor', 'boot.pending'));
      const record = JSON.parse(fs.readFileSync(path.join(sysroot.root, 'arbor', version, 'deployments.json'), 'utf8')) as { deployments: { commit: string }[] };
      return record.deployments.map((deployment) => deployment.commit);
    } catch {
      return undefined;
    }
  }

  /**
   * Runs an arbor command as a child and SIGKILLs it: after `kill.ms` (from here), or just
   * before its `kill.ops`-th change under the sysroot (the killAfterOps preload kills it).
   */
  async function runAndKill(args: string[], kill: { ms?: number; ops?: number; opsLog?: string; espOnly?: boolean }): Promise<'killed' | 'finished'> {
    const command = sysroot.command(...args);
    const env = {
      ...command.env,
      NODE_OPTIONS: `--require ${path.join(__dirname, 'killAfterOps.js')}`,
      ARBOR_TEST_KILL_DIRS: kill.espOnly ? sysroot.esp : sysroot.root,
      ...(kill.ops ? { ARBOR_TEST_KILL_AFTER_OPS: String(kill.ops) } : {}),
      ...(kill.opsLog ? { ARBOR_TEST_OPS_LOG: kill.opsLog } : {}),
    };
    const child = spawn(process.execPath, [ARBOR_BIN, ...command.args], { env, stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const timer = kill.ms === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), kill.ms);
    const signal = await exited;
    clearTimeout(timer);
    return signal === 'SIGKILL' ? 'killed' : 'finished';
  }

  it(`boots the old or the new deployment after each of ${KILLS} kills, and 3 real boots agree`, async function () {
    // An uncut deploy, to learn how long one takes and how many changes it makes, so the
    // kills spread over its whole run: two in three just before a random change, one in three
    // at a random time.
    const opsLog = path.join(scratch, 'ops.log');
    const started = Date.now();
    assert.equal(await runAndKill(['deploy', commits[1]!], { opsLog }), 'finished');
    const span = Date.now() - started;
    const lines = fs.readFileSync(opsLog, 'utf8').split('\n').filter(Boolean);
    const changes = lines.length;
    // The real boots follow kills inside the writer: just before one of its changes on the ESP
    // (counted on the ESP alone; a deploy of a kernel already there makes fewer, and finishes).
    const espChanges = lines.filter((line) => line.split(' ')[2]!.startsWith(`${sysroot.esp}/`)).length;
    const tally = { killed: 0, finished: 0, oldDefault: 0, newDefault: 0, twoSets: 0 };
    let before = checkBootable('before the kills');
    for (let i = 0; i < KILLS; i++) {
      // In-process, as `arbor status` reads it: the loop runs 30 times.
      const status = readStatus(Sysroot.open(sysroot.root)).deployments;
      const operation = i % 5 === 3 ? 'rollback' : i % 5 === 4 ? 'cleanup' : 'deploy';
      const target = commits[i % 3]!;
      const args = operation === 'deploy' ? ['deploy', target] : [operation];
      // Where the command leads. A locked command first finishes a swap an earlier kill
      // interrupted (recoverInterruptedSwap: arbor/boot.pending names it), so its order may
      // start from that swap's order as well as from the record or what the ESP boots.
      const pending = pendingOrder();
      const aimed = operation === 'deploy' ? [target] : operation === 'rollback' ? [status[1]?.commit, before.order[1], pending?.[1]] : [status[0]?.commit, before.commit, pending?.[0]];
      const kill = BOOT_AFTER.has(i)
        ? { ops: 1 + Math.floor(Math.random() * Math.max(1, espChanges)), espOnly: true }
        : i % 3 === 2
          ? { ms: Math.round(span * (0.5 + 0.7 * Math.random())) }
          : { ops: 1 + Math.floor(Math.random() * changes) };
      const outcome = await runAndKill(args, kill);
      tally[outcome]++;
      const after = checkBootable(`after kill ${i} (${args.join(' ')}, ${JSON.stringify(kill)}, ${outcome})`);
      // "Old" is what the ESP booted, what the core's record says, or the interrupted swap the
      // command finishes first (docs/bootloaders/atomic-fat.md, "Between the writer and the core's record").
      const old = [before.commit, status[0]?.commit, pending?.[0]];
      assert.ok([...old, ...aimed].includes(after.commit), `kill ${i} (${args.join(' ')}): the default boots ${after.commit}, neither the old ${old.join(' or ')} nor the new ${aimed.join(' or ')}`);
      if (after.deployment === before.deployment) tally.oldDefault++;
      else tally.newDefault++;
      if (after.sets > 1) tally.twoSets++;

      if (BOOT_AFTER.has(i) && machine) {
        const boot = await machine.boot(`kill-${i}`);
        const booted = boot.cmdline ? sysroot.resolveArborArgument(boot.cmdline) : undefined;
        timings.add(`after kill ${i} (${args[0]}, ${outcome})`, boot, booted === after.deployment ? 'booted the default' : `booted ${booted ?? 'nothing'}`);
        assert.ok(boot.cmdline, `boot after kill ${i}: no command line on the console:\n${boot.console.slice(-3000)}`);
        assert.equal(booted, after.deployment, `boot after kill ${i}: ${boot.cmdline}`);
      }
      before = after;
    }
    console.log(`      ${KILLS} kills over ${span} ms, ${changes}-change deploys: ${tally.killed} killed mid-run, ${tally.finished} finished first; the default stayed ${tally.oldDefault} times and moved ${tally.newDefault} times; ${tally.twoSets} kills left two entry sets listed`);
    if (!machine) requireUefiBoot(this, ['systemd-boot-efi']);

    // An uncut cleanup afterwards leaves exactly the live deployments and their kernels,
    // whatever the kills left (an interrupted swap is finished first, which removes them).
    sysroot.run('cleanup');
    const live = sysroot.status().deployments;
    const listed = bootctlEntries(sysroot.esp);
    assert.deepEqual(listed.map((entry) => sysroot.resolveArborArgument(entry.options ?? '')), live.map((deployment) => `${deployment.commit}.${deployment.serial}`));
    const named = new Set(listed.flatMap((entry) => [entry.linux!, ...(entry.initrd ?? [])].map((file) => file.replace(/^\//, ''))));
    assert.deepEqual(filesUnder(path.join(sysroot.esp, 'arbor')).map((file) => `arbor/${file}`), [...named].sort());
  });
});

/**
 * The one crash window between two filesystems: the writer has switched the ESP to the new
 * set, and the process dies before the core renames its record (`arbor/boot`) on the root
 * filesystem. The next command must not take the record's word for which version is live:
 * rewriting the links the ESP's live entries name would leave the default unbootable until
 * that command's own switch. (The core finishes the interrupted swap first.)
 */
describe('crash between the writer\'s switch and the core\'s record', function () {
  this.timeout(180_000);
  let scratch: string;

  before(function () {
    requireTool(this, 'bootctl', 'mount');
    requireRoot(this);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-record-'));
  });

  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('writes the other boot version next, so the live default keeps booting a complete deployment', async () => {
    const sysroot = BootSysroot.create(path.join(scratch, 'sysroot'), { bootloader: 'systemd-boot' });
    const files = (tag: string): BootFiles => ({ kernelVersion: '6.1.0-test', vmlinuz: `vmlinuz ${tag}\n`, initramfs: `initramfs ${tag}\n` });
    const commits = [];
    for (const version of ['1', '2', '3']) commits.push(await sysroot.commit(scratch, version, files(version)));
    sysroot.run('deploy', commits[0]!);
    sysroot.run('deploy', commits[1]!);
    const preload = `--require ${path.join(__dirname, 'killAfterOps.js')}`;
    const runKilled = async (args: string[], env: NodeJS.ProcessEnv) => {
      const command = sysroot.command(...args);
      const child = spawn(process.execPath, [ARBOR_BIN, ...command.args], { env: { ...command.env, NODE_OPTIONS: preload, ...env }, stdio: 'ignore' });
      const signal = await new Promise((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
      assert.equal(signal, 'SIGKILL', `arbor ${args.join(' ')} was killed where the test meant`);
    };
    const defaultDeployment = () => {
      const { entries, defaultId } = bootctlListing(sysroot.esp);
      return sysroot.resolveArborArgument(entries.find((entry) => entry.id === defaultId)?.options ?? '');
    };

    // Die just before the core's record: the ESP boots v3, the record still says v2's version.
    await runKilled(['deploy', commits[2]!], { ARBOR_TEST_KILL_DIRS: sysroot.root, ARBOR_TEST_KILL_BEFORE: `rename ${path.join(sysroot.root, 'arbor', 'boot')}` });
    const booting = defaultDeployment();
    assert.equal(booting?.split('.')[0], commits[2], 'the ESP switched to v3');
    assert.equal(readStatus(Sysroot.open(sysroot.root)).deployments[0]!.commit, commits[1], 'the record lags at v2');

    // The next command, killed just before its first change on the ESP: the core has rewritten
    // its links by then, and the ESP's default must still boot v3, complete.
    await runKilled(['rollback'], { ARBOR_TEST_KILL_DIRS: sysroot.esp, ARBOR_TEST_KILL_AFTER_OPS: '1' });
    assert.equal(defaultDeployment(), booting, 'the live default still resolves to the same complete deployment');

    // And an uncut command settles it: exactly the recorded order, bootable.
    sysroot.run('rollback');
    const live = readStatus(Sysroot.open(sysroot.root)).deployments;
    assert.deepEqual(bootctlEntries(sysroot.esp).map((entry) => sysroot.resolveArborArgument(entry.options ?? '')), live.map((d) => `${d.commit}.${d.serial}`));
  });
});
