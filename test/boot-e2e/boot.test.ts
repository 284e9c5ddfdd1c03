import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireRoot, requireTool } from '../support/requireTool';
import { arborOk, formatTimings, KARGS, OsBuild, REF, STATEROOT, TestMachine, type BootTiming } from './BootLab';
import { OVMF_CODE } from './QemuBoot';
import type { BootResult } from './QemuBoot';

const QEMU_BUDGET_SECONDS = 180;

interface Expected {
  commit: string;
  version: string;
  etc: string;
  motd: string;
  counter: number;
}

/** What every boot of the test OS must have printed, with the whole console on a mismatch. */
function assertBooted(result: BootResult, expected: Expected): void {
  const { report } = result;
  const context = `\nconsole:\n${result.console.split('\n').slice(-40).join('\n')}`;
  assert.equal(report.get('DONE'), '', `the init ran to the end${context}`);
  assert.equal(report.get('BOOTED'), `${expected.commit} ${expected.version}`, `booted commit and VERSION${context}`);
  assert.ok(report.get('LINK')?.endsWith(`/arbor/deploy/${STATEROOT}/deploy/${report.get('DEPLOYMENT')}`), `arbor= leads to the deployment that is / (${report.get('LINK')})${context}`);
  assert.equal(report.get('USR'), 'read-only', `a new file in /usr is refused${context}`);
  assert.equal(report.get('USR-APPEND'), 'refused', `appending to a file in /usr is refused${context}`);
  assert.equal(report.get('ETC'), expected.etc, `the /etc marker${context}`);
  assert.equal(report.get('MOTD'), expected.motd, `the /etc default that changed in v2${context}`);
  assert.equal(report.get('VAR'), String(expected.counter), `the /var counter${context}`);
}

function defaultDeploymentEtc(sysroot: string, file: string): string {
  const status = arborOk('status', '--sysroot', sysroot, '--json').json<{ deployments: { path: string; index: number | null }[] }>();
  const first = status.deployments.find((deployment) => deployment.index === 0)!;
  return path.join(first.path, 'etc', file);
}

describe('booting a composed OS under qemu (TCG)', function () {
  this.timeout(15 * 60 * 1000);
  const timings: BootTiming[] = [];
  let work = '';
  let build: OsBuild;
  const commits: Record<string, string> = {};

  before(async function () {
    requireRoot(this);
    requireTool(this, 'qemu-system-x86_64', 'rpmbuild', 'createrepo_c', 'mkfs.ext4', 'mkfs.fat', 'fsck.fat', 'mcopy', 'cpio', 'apt-get', 'dpkg-deb', 'depmod', 'mknod');
    if (!fs.existsSync(OVMF_CODE)) {
      if (process.env.CI) throw new Error(`needs ${OVMF_CODE} (the ovmf package)`);
      console.log(`      skipped: needs ${OVMF_CODE} (ovmf)`);
      this.skip();
    }
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-boot-'));
    build = await OsBuild.create(work);
    commits.v1 = build.compose({ version: '1', motd: 'motd of v1' }, true);
    await build.serve();
  });

  after(async function () {
    await build?.stop();
    if (timings.length) console.log(`\n  qemu boots (TCG):\n${formatTimings(timings, QEMU_BUDGET_SECONDS)}\n`);
    if (work && !process.env.ARBOR_KEEP_BOOT_WORK) fs.rmSync(work, { recursive: true, force: true });
    else if (work) console.log(`  boot work kept in ${work}`);
  });

  it('boots through OVMF and systemd-boot, upgrades keeping /etc and /var, rolls back, and /usr stays read-only', async function () {
    const machine = new TestMachine(path.join(work, 'sdboot'), 'systemd-boot', 'systemd-boot');
    try {
      await machine.withSysroot((sysroot) => {
        arborOk('sysroot', 'init', sysroot, '--stateroot', STATEROOT, '--bootloader', 'systemd-boot', '--esp', machine.esp);
        machine.arbor('remote', 'add', 'origin', build.url, '--verify-key', `${build.key}.pub`);
        machine.arbor('pull', 'origin', REF);
        machine.arbor('deploy', `origin:${REF}`, ...KARGS.flatMap((karg) => ['--karg', karg]));
        installSystemdBootShim(sysroot, machine.esp);
      });
      assertBooted(await machine.boot('v1'), { commit: commits.v1!, version: '1', etc: 'default marker', motd: 'motd of v1', counter: 1 });

      commits.v2 ??= build.compose({ version: '2', motd: 'motd of v2' }, false);
      await machine.withSysroot((sysroot) => {
        fs.writeFileSync(defaultDeploymentEtc(sysroot, 'arbor-test/marker'), 'marker edited by the admin\n');
        machine.arbor('upgrade');
        installSystemdBootShim(sysroot, machine.esp);
      });
      assertBooted(await machine.boot('v2 (upgrade)'), { commit: commits.v2, version: '2', etc: 'marker edited by the admin', motd: 'motd of v2', counter: 2 });

      await machine.withSysroot((sysroot) => {
        machine.arbor('rollback');
        installSystemdBootShim(sysroot, machine.esp);
      });
      assertBooted(await machine.boot('v1 (rollback)'), { commit: commits.v1!, version: '1', etc: 'marker edited by the admin', motd: 'motd of v1', counter: 3 });

      await machine.withSysroot((sysroot) => {
        const fsck = arborOk('fsck', '--repo', path.join(sysroot, 'arbor', 'repo'), '--json').json<{ checked: number; corrupt: string[]; missing: string[] }>();
        assert.deepEqual({ corrupt: fsck.corrupt, missing: fsck.missing }, { corrupt: [], missing: [] });
        assert.ok(fsck.checked > 20, `fsck checked the whole store (${fsck.checked} objects)`);
        for (const deployment of fs.readdirSync(path.join(sysroot, 'arbor', 'deploy', STATEROOT, 'deploy'))) {
          assert.ok(!fs.existsSync(path.join(sysroot, 'arbor', 'deploy', STATEROOT, 'deploy', deployment, 'usr', 'stray-write')), `no stray file in ${deployment}/usr`);
        }
      });
    } finally {
      timings.push(...machine.timings);
    }
  });
});

/**
 * Until the systemd-boot writer lands: puts systemd-boot, a loader.conf, the BLS entries and the
 * kernels they name on the ESP, where the firmware can read them (ext4 is not readable to it).
 */
function installSystemdBootShim(sysroot: string, esp: string): void {
  fs.rmSync(esp, { recursive: true, force: true });
  fs.mkdirSync(path.join(esp, 'EFI', 'BOOT'), { recursive: true });
  fs.copyFileSync('/usr/lib/systemd/boot/efi/systemd-bootx64.efi', path.join(esp, 'EFI', 'BOOT', 'BOOTX64.EFI'));
  fs.mkdirSync(path.join(esp, 'loader', 'entries'), { recursive: true });
  fs.writeFileSync(path.join(esp, 'loader', 'loader.conf'), 'timeout 0\neditor no\n');
  const entries = path.join(sysroot, 'boot', 'loader', 'entries');
  for (const name of fs.readdirSync(entries)) fs.copyFileSync(path.join(entries, name), path.join(esp, 'loader', 'entries', name));
  fs.cpSync(path.join(sysroot, 'boot', 'arbor'), path.join(esp, 'arbor'), { recursive: true });
}
