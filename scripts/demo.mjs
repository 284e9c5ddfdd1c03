#!/usr/bin/env node
// `npm run demo`: Arbor's mission end to end, in a throwaway directory.
//
//   build:    the sample OS's RPMs -> rpm-md repo -> compose (fedora preset: rpmdb, SELinux
//             labels) -> signed commit and summary, served by `arbor serve`
//   machine:  a disk image (ESP + ext4 root) -> sysroot -> verified pull -> deploy -> boot in
//             qemu -> /etc edit -> arbor install (layering) -> v2: upgrade with the /etc merge
//             report and db diff -> boot -> rollback -> boot -> status
//
// Every step runs the real `arbor` CLI and prints the command. Boots need root (a loop mount)
// and qemu, OVMF and systemd-boot's EFI binary; without them the demo says so and goes on.
// `--no-boot` (or ARBOR_DEMO_BOOT=0) leaves the boots out; ARBOR_DEMO_KEEP=1 keeps the work dir.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installSignalHandlers, onCleanup, runCleanups } from './demo/cleanup.mjs';
import { DemoMachine, whyNoBoot } from './demo/DemoMachine.mjs';
import { Narrator } from './demo/Narrator.mjs';
import { buildSampleRpms, LAYERED_PACKAGE, SAMPLE_PACKAGES, SAMPLE_REF } from './demo/sampleOs.mjs';
import { serveRepo } from './demo/ServedRepo.mjs';

const noBootAsked = process.argv.includes('--no-boot') || process.env.ARBOR_DEMO_BOOT === '0';
const keep = Boolean(process.env.ARBOR_DEMO_KEEP);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-demo-'));
const build = path.join(work, 'build');
const machineDir = path.join(work, 'machine');
const rpms = path.join(work, 'rpms');
const tell = new Narrator(work);
let bootSeconds = 0;
let boots = 0;

function requireTools(...tools) {
  const missing = tools.filter((tool) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' }).status !== 0);
  if (missing.length) throw new Error(`the demo needs ${missing.join(', ')} on PATH (Debian: rpm, createrepo-c, bubblewrap)`);
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Builds release `version`'s RPMs, composes and signs its commit, and re-signs the summary. */
async function release(version) {
  const built = buildSampleRpms(rpms, version, path.join(work, 'rpmbuild'));
  tell.say(`rpmbuild + createrepo_c: ${built.map((file) => path.basename(file)).join(', ')}`);
  const commit = await tell.arbor(build, 'compose', 'tree', 'sample.yaml', '--repo', 'repo', '--sign-key', 'keys/release.key');
  await tell.arbor(build, 'summary', '--repo', 'repo', '--sign-key', 'keys/release.key');
  return commit.split('\n').at(-1).trim();
}

async function boot(machine, label, what) {
  tell.say(`Booting ${what}: the root is unmounted, the ESP written into the disk, qemu started.`);
  const { seconds, report } = await machine.boot(label);
  bootSeconds += seconds;
  boots += 1;
  tell.say(`qemu (TCG, OVMF, systemd-boot) ran ${seconds.toFixed(1)} s; the serial console said:`);
  for (const line of report) tell.say(`  ${line}`);
}

async function main() {
  requireTools('rpmbuild', 'createrepo_c', 'bwrap');
  const noBoot = noBootAsked ? 'asked not to (--no-boot)' : whyNoBoot();
  const useDisk = process.getuid?.() === 0;

  tell.heading('Build the sample OS as RPMs and compose release 1',
    'A real Debian kernel with an initramfs running arbor-prepare-root, a busybox userland, a small',
    'SELinux policy. The fedora preset composes it: rpm-md repo, rpmdb, labels, signature.');
  writeJson(path.join(build, 'arbor.config.json'), { preset: 'fedora' });
  fs.writeFileSync(path.join(build, 'sample.yaml'), [
    `ref: ${SAMPLE_REF}`, `repos: [${rpms}]`, `packages: [${SAMPLE_PACKAGES.join(', ')}]`,
    'selinux: true', 'automatic-version-prefix: "1"', '',
  ].join('\n'));
  await tell.arbor(build, 'key', 'generate', '--out', 'keys/release.key');
  await tell.arbor(build, 'init', '--repo', 'repo', '--mode', 'archive');
  const v1 = await release(1);

  tell.heading('Serve it', 'Any static web server can serve an archive repo; docs/guide.md uses nginx.');
  const server = await serveRepo(path.join(build, 'repo'));
  tell.say(`arbor serve --repo repo --port 0 &   -> ${server.url}`);

  tell.heading(useDisk ? 'Install to a disk image' : 'Install to a directory',
    useDisk ? 'disk.img: an EFI system partition and an ext4 root, loop-mounted at $DEMO/machine/mnt.'
      : 'Not root: no loop mount, so the sysroot is a directory and nothing boots.',
    'The machine trusts the release key; every pull is verified against it.');
  const machine = new DemoMachine(machineDir, { disk: useDisk });
  machine.mount();
  writeJson(path.join(machineDir, 'arbor.config.json'), { preset: 'fedora-systemd-boot' });
  const S = machine.sysroot;
  await tell.arbor(machineDir, 'sysroot', 'init', S, '--stateroot', 'sample', '--bootloader', 'systemd-boot', '--esp', machine.esp);
  await tell.arbor(machineDir, 'remote', 'add', 'origin', server.url, '--sysroot', S, '--verify-key', path.join(build, 'keys', 'release.key.pub'));
  await tell.arbor(machineDir, 'pull', '--sysroot', S, 'origin', SAMPLE_REF);
  await tell.arbor(machineDir, 'deploy', `origin:${SAMPLE_REF}`, '--sysroot', S, '--karg', `root=${machine.rootDevice}`, '--karg', 'quiet', '--karg', 'panic=-1');

  tell.heading('Boot release 1');
  if (noBoot) tell.say(`No boot: ${noBoot}. Going on without it.`);
  else {
    machine.installBootloader();
    await boot(machine, 'v1', 'release 1');
  }

  tell.heading('The admin edits /etc and layers a package',
    'Layering reads its repos from the deployment\'s /etc/yum.repos.d; the new deployment is the base',
    'plus the package, committed with the base as its parent.');
  const [deployed] = (await tell.arborJson(machineDir, 'status', '--sysroot', S)).deployments;
  fs.writeFileSync(path.join(deployed.path, 'etc', 'motd'), 'Managed by the admin team.\n');
  tell.say('echo "Managed by the admin team." > /etc/motd');
  await tell.arbor(machineDir, 'etc', 'diff', '--sysroot', S);
  fs.writeFileSync(path.join(deployed.path, 'etc', 'yum.repos.d', 'sample.repo'), `[sample]\nname=Sample OS packages\nbaseurl=file://${rpms}/\n`);
  tell.say(`printf '[sample]\\nbaseurl=file://${tell.shown(rpms)}/\\n' > /etc/yum.repos.d/sample.repo`);
  await tell.arbor(machineDir, 'install', LAYERED_PACKAGE, '--sysroot', S);

  tell.heading('Compose release 2 and upgrade',
    'sample-os 2 changes the /etc/motd default the admin also edited: the merge keeps the admin\'s',
    `file and reports the conflict. ${LAYERED_PACKAGE} is layered again onto release 2. db diff says which packages changed.`);
  const v2 = await release(2);
  await tell.arbor(machineDir, 'upgrade', '--sysroot', S, '--check');
  await tell.arbor(machineDir, 'upgrade', '--sysroot', S);
  await tell.arbor(machineDir, 'db', 'diff', '--sysroot', S);
  if (!noBoot) await boot(machine, 'v2', 'release 2, the new default');

  tell.heading('Roll back', 'Release 1 is still deployed, complete; one command makes it the default again.');
  await tell.arbor(machineDir, 'rollback', '--sysroot', S);
  if (!noBoot) await boot(machine, 'rollback', 'release 1 again, after the rollback');
  await tell.arbor(machineDir, 'status', '--sysroot', S);
  const final = (await tell.arborJson(machineDir, 'status', '--sysroot', S)).deployments;
  const shape = final.map((deployment) => `${deployment.index}:${deployment.base ?? deployment.commit}+${deployment.layered.join(',')}`).join(' ');
  if (shape !== `0:${v1}+${LAYERED_PACKAGE} 1:${v2}+${LAYERED_PACKAGE}`) throw new Error(`the final status is not release 1 with release 2 as the rollback, both layered: ${shape}`);
  await tell.arbor(machineDir, 'fsck', '--repo', path.join(S, 'arbor', 'repo'));
}

installSignalHandlers();
onCleanup(() => {
  if (keep) console.log(`(work dir kept: ${work})`);
  else fs.rmSync(work, { recursive: true, force: true });
});
try {
  await main();
  const bootShare = boots ? `, of which ${bootSeconds.toFixed(1)} s in ${boots} qemu boots` : ', no boots';
  console.log(`\nDemo finished in ${tell.seconds().toFixed(1)} s${bootShare}.`);
} catch (error) {
  console.error(`\ndemo failed: ${tell.shown(error.message)}`);
  process.exitCode = 1;
} finally {
  await runCleanups();
}
