import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BootTimings,
  PRINT_CMDLINE_AND_POWEROFF,
  PartitionType,
  bootUefi,
  buildInitramfs,
  cmdlineFromConsole,
  installRemovableLoader,
  makeFatImage,
  makeGptDisk,
  requireUefiBoot,
  testKernel,
} from '../support/qemu';
import { requireTool } from '../support/requireTool';
import { GrubSysroot } from './grubSysroot';

/** Debian's grub-efi-amd64-bin: the x86_64-efi modules grub-mkstandalone builds from. */
const GRUB_EFI_MODULES = '/usr/lib/grub/x86_64-efi';

/**
 * The GRUB a firmware boots: a standalone x86_64-efi image whose embedded config finds the
 * partition holding `/grub/grub.cfg` (the /boot we wrote) and loads that file, as a distro's
 * core.img does with its prefix. Only upstream modules: no blscfg, so generated mode is what boots.
 */
function buildGrubEfi(work: string): string {
  const embedded = path.join(work, 'embedded.cfg');
  fs.writeFileSync(embedded, 'search --no-floppy --set=root --file /grub/grub.cfg\nconfigfile ($root)/grub/grub.cfg\n');
  const efi = path.join(work, 'BOOTX64.EFI');
  execFileSync('grub-mkstandalone', [
    '-O', 'x86_64-efi', '-o', efi,
    '--modules=part_gpt fat',
    '--install-modules=normal configfile search search_fs_file search_fs_uuid linux fat part_gpt echo test gzio',
    '--locales=', '--themes=', '--fonts=',
    `boot/grub/grub.cfg=${embedded}`,
  ], { stdio: 'pipe' });
  return efi;
}

/**
 * The real thing: OVMF starts GRUB EFI, GRUB reads the grub.cfg Arbor wrote and boots its
 * default entry's kernel, whose initramfs prints /proc/cmdline. The disk holds one FAT
 * partition that is both the ESP and /boot (so the writer's bootPrefix is '').
 */
describe('GRUB EFI boots the default deployment of the grub.cfg we wrote (qemu, OVMF, TCG)', function () {
  this.timeout(300_000);
  let scratch: string;
  let sysroot: GrubSysroot;
  let grubEfi: string;
  const timings = new BootTimings();

  before(async function () {
    requireUefiBoot(this);
    requireTool(this, 'grub-mkstandalone');
    if (!fs.existsSync(path.join(GRUB_EFI_MODULES, 'linux.mod'))) {
      if (process.env.CI) throw new Error('needs the Debian package grub-efi-amd64-bin (CI installs it in .ci/run)');
      console.log('      skipped: needs the Debian package grub-efi-amd64-bin');
      this.skip();
    }
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-grub-efi-'));
    grubEfi = buildGrubEfi(scratch);
    sysroot = GrubSysroot.init(scratch, { mode: 'generated', bootPrefix: '', timeout: 0 });
    const kernel = testKernel();
    const vmlinuz = fs.readFileSync(kernel.vmlinuz);
    for (const version of ['1', '2']) {
      // No console=ttyS0: the kernel stays silent (its log costs seconds under TCG); our init writes to ttyS0 itself.
      // Each version's initramfs differs by a file, so the two deployments boot different files.
      const initramfs = buildInitramfs({ script: PRINT_CMDLINE_AND_POWEROFF, files: { '/etc/arbor-test-version': `${version}\n` } });
      await sysroot.commitBootable(scratch, version, { kernelVersion: kernel.version, vmlinuz, initramfs });
      // `test.literal` would be expanded or split by GRUB if the writer's quoting were wrong.
      if (version === '1') sysroot.run('deploy', 'os/x86_64', '--karg', 'quiet', '--karg', 'panic=-1', '--karg', 'test.literal=$root;{x}#y');
      else sysroot.run('upgrade');
    }
  });

  after(function () {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    if (timings.format('').includes('total')) console.log(timings.format('      GRUB EFI boots'));
  });

  /** Copies SYSROOT/boot plus GRUB EFI into a FAT ESP, boots it, and returns the deployment the kernel was told to boot. */
  async function bootOnce(label: string): Promise<{ deployment: string; cmdline: string }> {
    const espDir = path.join(scratch, `esp-${label}`);
    fs.cpSync(sysroot.file('boot'), espDir, { recursive: true, verbatimSymlinks: true });
    installRemovableLoader(espDir, grubEfi);
    const image = makeFatImage(path.join(scratch, `esp-${label}.img`), { from: espDir, sizeMiB: 96 });
    const disk = makeGptDisk(path.join(scratch, `disk-${label}.img`), [{ image, type: PartitionType.esp, name: 'ESP' }]);
    const result = await bootUefi({ disks: [disk.file], timeoutMs: 120_000 });
    const cmdline = cmdlineFromConsole(result.console);
    timings.add(label, result, cmdline ? 'cmdline printed' : 'no cmdline');
    assert.ok(cmdline, `the booted kernel printed its command line; console:\n${result.console.slice(-3000)}`);
    const link = /(?:^| )arbor=(\S+)/.exec(cmdline)?.[1];
    assert.ok(link, `an arbor= argument in: ${cmdline}`);
    return { deployment: path.basename(fs.realpathSync(path.join(sysroot.root, link))), cmdline };
  }

  it('boots the new deployment by default, and the old one after arbor rollback', async () => {
    const [v2, v1] = sysroot.state().deployments;
    const first = await bootOnce('default');
    assert.equal(first.deployment, `${v2!.commit}.${v2!.serial}`, `the default (v2) booted: ${first.cmdline}`);
    assert.match(first.cmdline, /quiet panic=-1 test\.literal=\$root;\{x\}#y arbor=\/arbor\/boot\.\d\/os\/[0-9a-f]{64}\/0$/);

    sysroot.run('rollback');
    sysroot.assertGrubCfgMatchesStatus('boot/grub/grub.cfg', '');
    const second = await bootOnce('after-rollback');
    assert.equal(second.deployment, `${v1!.commit}.${v1!.serial}`, `the rollback (v1) booted: ${second.cmdline}`);
  });
});
