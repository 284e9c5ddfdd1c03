import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BootTimings, installRemovableLoader, requireUefiBoot, SYSTEMD_BOOT_EFI } from '../support/qemu';
import { requirePackage, requireRoot, requireTool } from '../support/requireTool';
import { ROOT_LABEL } from './BootDisk';
import { arborOk, KARGS, OsBuild, REF, STATEROOT, TestMachine } from './BootLab';
import { buildGrubEfi, GRUB_EFI_MODULES } from './GrubEfi';

const QEMU_BUDGET_SECONDS = 180;

interface Expected {
  commit: string;
  version: string;
  etc: string;
  motd: string;
  counter: number;
}

/** What every boot of the test OS must have printed, with the console's end on a mismatch. */
function assertBooted(result: { console: string; report: Map<string, string> }, expected: Expected): void {
  const { report } = result;
  const context = `\nconsole:\n${result.console.split('\n').slice(-40).join('\n')}`;
  assert.equal(report.get('DONE'), '', `the init ran to the end${context}`);
  assert.equal(report.get('BOOTED'), `${expected.commit} ${expected.version}`, `booted commit and VERSION${context}`);
  assert.ok(report.get('LINK')?.endsWith(`/arbor/deploy/${STATEROOT}/deploy/${report.get('DEPLOYMENT')}`), `arbor= leads to the deployment that is / (${report.get('LINK')})${context}`);
  assert.equal(report.get('USR'), 'read-only', `a new file in /usr is refused${context}`);
  assert.equal(report.get('USR-APPEND'), 'refused', `appending to a file in /usr is refused${context}`);
  assert.equal(report.get('ROOT'), 'read-only', `a new top-level file is refused${context}`);
  assert.equal(report.get('OPT-APPEND'), 'refused', `appending to a file in /opt (a store hardlink outside /usr) is refused${context}`);
  assert.equal(report.get('ETC'), expected.etc, `the /etc marker${context}`);
  assert.equal(report.get('MOTD'), expected.motd, `the /etc default that changed in v2${context}`);
  assert.equal(report.get('VAR'), String(expected.counter), `the /var counter${context}`);
}

/** The admin's change: edits the /etc marker of the default deployment, on the host. */
function editMarker(machine: TestMachine): void {
  const status = machine.arbor('status', '--json').json<{ deployments: { path: string; index: number | null }[] }>();
  const first = status.deployments.find((deployment) => deployment.index === 0)!;
  fs.writeFileSync(path.join(first.path, 'etc', 'arbor-test', 'marker'), 'marker edited by the admin\n');
}

/** The stray writes the init tried never reached the store: fsck is clean and no file appeared in any /usr or at the top. */
function assertStoreClean(sysroot: string): void {
  const fsck = arborOk('fsck', '--repo', path.join(sysroot, 'arbor', 'repo'), '--json').json<{ checked: number; corrupt: string[]; missing: string[] }>();
  assert.deepEqual({ corrupt: fsck.corrupt, missing: fsck.missing }, { corrupt: [], missing: [] });
  assert.ok(fsck.checked > 20, `fsck checked the store (${fsck.checked} objects)`);
  const deployments = path.join(sysroot, 'arbor', 'deploy', STATEROOT, 'deploy');
  for (const name of fs.readdirSync(deployments)) {
    if (name.endsWith('.origin')) continue;
    assert.ok(!fs.existsSync(path.join(deployments, name, 'usr', 'stray-write')), `no stray file in ${name}/usr`);
    assert.ok(!fs.existsSync(path.join(deployments, name, 'stray-write')), `no stray file in ${name}/`);
    assert.match(fs.readFileSync(path.join(deployments, name, 'opt', 'arbor-test', 'data'), 'utf8'), /^data of \d\n$/, `${name}/opt/arbor-test/data unchanged`);
  }
}

describe('booting a composed OS under qemu (OVMF, TCG): deploy, upgrade, rollback', function () {
  this.timeout(20 * 60 * 1000);
  const timings = new BootTimings();
  let work = '';
  let build: OsBuild;
  let sdboot: TestMachine;
  let grub: TestMachine;
  const commits: { v1?: string; v2?: string } = {};

  /** v2 is composed once, by whichever flow upgrades first. */
  function composeV2(): string {
    commits.v2 ??= build.compose({ version: '2', motd: 'motd of v2' }, false);
    return commits.v2;
  }

  before(async function () {
    requireRoot(this);
    // The systemd-boot machine boots SYSTEMD_BOOT_EFI, which systemd-boot-efi ships.
    requireUefiBoot(this, ['systemd-boot-efi']);
    requireTool(this, 'rpmbuild', 'createrepo_c', 'mkfs.ext4', 'mkfs.fat', 'fsck.fat', 'mcopy', 'grub-mkstandalone');
    requirePackage(this, 'grub-efi-amd64-bin', fs.existsSync(path.join(GRUB_EFI_MODULES, 'linux.mod')));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-boot-'));
    build = await OsBuild.create(work);
    commits.v1 = build.compose({ version: '1', motd: 'motd of v1' }, true);
    await build.serve();

    // Both machines get v1 now, while the remote's ref still names it: upgrade follows the ref later.
    sdboot = new TestMachine(path.join(work, 'sdboot'), 'systemd-boot', 'systemd-boot', timings);
    grub = new TestMachine(path.join(work, 'grub'), 'GRUB', 'grub', timings);
    for (const machine of [sdboot, grub]) {
      await machine.withSysroot((sysroot) => {
        const init = ['sysroot', 'init', sysroot, '--stateroot', STATEROOT, '--bootloader', machine.bootloader, '--config', machine.config];
        arborOk(...init, ...(machine.bootloader === 'systemd-boot' ? ['--esp', machine.esp] : []));
        if (machine.bootloader === 'grub') {
          // GRUB reads /boot on the root filesystem, so its paths start with /boot (generated mode: a grub.cfg of menuentries).
          const file = path.join(sysroot, 'arbor', 'config.json');
          const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
          fs.writeFileSync(file, JSON.stringify({ ...config, bootloaderOptions: { mode: 'generated', bootPrefix: '/boot', timeout: 0 } }, null, 2));
        }
        machine.arbor('remote', 'add', 'origin', build.url, '--verify-key', `${build.key}.pub`);
        machine.arbor('pull', 'origin', REF);
        machine.arbor('deploy', `origin:${REF}`, ...KARGS.flatMap((karg) => ['--karg', karg]));
      });
    }
    installRemovableLoader(sdboot.esp, SYSTEMD_BOOT_EFI);
    installRemovableLoader(grub.esp, buildGrubEfi(work, ROOT_LABEL));
  });

  after(async function () {
    await build?.stop();
    // The load average says how much of the CPU qemu got: TCG time grows with it on a shared machine.
    const load = `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`;
    if (timings.count) console.log(`\n${timings.format(`      qemu boots (TCG, ${load}; budget ${QEMU_BUDGET_SECONDS} s)`)}\n`);
    if (work && !process.env.ARBOR_KEEP_BOOT_WORK) fs.rmSync(work, { recursive: true, force: true });
    else if (work) console.log(`      boot work kept in ${work}`);
  });

  it('through systemd-boot: v1 boots, v2 after upgrade keeps the admin\'s /etc and the /var counter, rollback boots v1; / and /usr stay read-only', async function () {
    assertBooted(await sdboot.boot('v1'), { commit: commits.v1!, version: '1', etc: 'default marker', motd: 'motd of v1', counter: 1 });

    const v2 = composeV2();
    await sdboot.withSysroot(() => {
      editMarker(sdboot);
      sdboot.arbor('upgrade');
    });
    assertBooted(await sdboot.boot('v2 (upgrade)'), { commit: v2, version: '2', etc: 'marker edited by the admin', motd: 'motd of v2', counter: 2 });

    await sdboot.withSysroot(() => sdboot.arbor('rollback'));
    // v1's own /etc: the admin edited it while v1 was the default.
    assertBooted(await sdboot.boot('v1 (rollback)'), { commit: commits.v1!, version: '1', etc: 'marker edited by the admin', motd: 'motd of v1', counter: 3 });

    await sdboot.withSysroot((sysroot) => assertStoreClean(sysroot));
    assert.match(sdboot.disk.checkRoot(sdboot.work), /arbor-root: \d+\/\d+ files/, 'e2fsck -fn finds the root filesystem clean');
  });

  it('through GRUB EFI (generated grub.cfg): the upgrade boots v2 with the admin\'s /etc, rollback boots v1 with its own', async function () {
    const v2 = composeV2();
    await grub.withSysroot(() => {
      editMarker(grub);
      grub.arbor('upgrade');
    });
    assertBooted(await grub.boot('v2 (upgrade)'), { commit: v2, version: '2', etc: 'marker edited by the admin', motd: 'motd of v2', counter: 1 });

    await grub.withSysroot(() => {
      // The admin's change in v2's /etc stays with v2: v1 boots with the /etc it had.
      const status = grub.arbor('status', '--json').json<{ deployments: { path: string; index: number | null }[] }>();
      fs.writeFileSync(path.join(status.deployments[0]!.path, 'etc', 'arbor-test', 'marker'), 'edited in v2 only\n');
      grub.arbor('rollback');
    });
    assertBooted(await grub.boot('v1 (rollback)'), { commit: commits.v1!, version: '1', etc: 'marker edited by the admin', motd: 'motd of v1', counter: 2 });

    await grub.withSysroot((sysroot) => assertStoreClean(sysroot));
    assert.match(grub.disk.checkRoot(grub.work), /arbor-root: \d+\/\d+ files/, 'e2fsck -fn finds the root filesystem clean');
  });
});
