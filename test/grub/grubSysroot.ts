import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { commitTree } from '@arbor/core/store';
import { Repo } from '@arbor/core/store';
import { GrubEnv, menuEntries, parseGrubScript, type GrubMenuEntry } from '@arbor/plugin-grub';
import { runArbor } from '../support/runArbor';
import { writeTree } from '../support/tempDir';
import { expectSuccess, TestSysroot, type StatusJson } from '../sysroot/sysrootFixture';
import { grubEditenvList, grubScriptCheck } from './grubTools';

/**
 * A sysroot whose bootloader is `grub`, driven through the real CLI with a config that adds
 * the grub plugin to the default preset. `bootloaderOptions` go into SYSROOT/arbor/config.json
 * as an admin would write them.
 */
export class GrubSysroot extends TestSysroot {
  constructor(root: string, readonly configFile: string, private readonly env: NodeJS.ProcessEnv = {}) {
    super(root);
  }

  /** `env` goes to every arbor run (e.g. the FAT rules preload of test/boot/fatRules.ts). */
  static init(scratch: string, bootloaderOptions: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}, name = 'sysroot'): GrubSysroot {
    const configFile = path.join(scratch, `${name}.arbor.config.json`);
    fs.writeFileSync(configFile, JSON.stringify({ plugins: ['grub'] }));
    const root = path.join(scratch, name);
    const args = ['sysroot', 'init', root, '--stateroot', 'os', '--bootloader', 'grub', '--config', configFile];
    expectSuccess(runArbor(args, { env: { ...process.env, DEBUG: '', ...env } }), args);
    const sysrootConfig = path.join(root, 'arbor', 'config.json');
    const config = JSON.parse(fs.readFileSync(sysrootConfig, 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(sysrootConfig, JSON.stringify({ ...config, bootloaderOptions }, null, 2));
    fs.mkdirSync(path.join(root, 'boot'), { recursive: true });
    return new GrubSysroot(root, configFile, env);
  }

  /** Commits an OS version that boots for real: a kernel and initramfs given as bytes. */
  async commitBootable(scratch: string, version: string, boot: { kernelVersion: string; vmlinuz: Buffer; initramfs: Buffer }): Promise<string> {
    const tree = path.join(scratch, `tree-${version}-${process.hrtime.bigint()}`);
    writeTree(tree, {
      'usr/lib/os-release': `NAME="Arbor Test OS"\nPRETTY_NAME="Arbor Test OS"\nID=arbortest\nVERSION="${version}"\n`,
      'usr/bin/tool': `#!/bin/sh\necho ${version}\n`,
      'usr/etc/hostname': `v${version}\n`,
      [`usr/lib/modules/${boot.kernelVersion}/vmlinuz`]: '',
    });
    fs.writeFileSync(path.join(tree, 'usr/lib/modules', boot.kernelVersion, 'vmlinuz'), boot.vmlinuz);
    fs.writeFileSync(path.join(tree, 'usr/lib/modules', boot.kernelVersion, 'initramfs.img'), boot.initramfs);
    const result = await commitTree(new Arbor(), Repo.open(this.repoPath), { tree, branch: 'os/x86_64', subject: `Arbor Test OS ${version}`, metadata: { version } });
    fs.rmSync(tree, { recursive: true, force: true });
    return result.commit;
  }

  override run(...args: string[]) {
    const full = [...args, '--sysroot', this.root, '--config', this.configFile];
    return expectSuccess(runArbor(full, { env: { ...process.env, DEBUG: '', ...this.env } }), full);
  }

  /** Runs a command expected to fail, returning its output. */
  fail(...args: string[]) {
    const result = runArbor([...args, '--sysroot', this.root, '--config', this.configFile], { env: { ...process.env, DEBUG: '', ...this.env } });
    assert.notEqual(result.status, 0, `arbor ${args.join(' ')} should fail\n${result.stdout}`);
    return result;
  }

  file(relative: string): string {
    return path.join(this.root, relative);
  }

  /** The menu entries of the grub.cfg at `relative`, after grub-script-check accepted it. */
  grubEntries(relative = 'boot/grub/grub.cfg'): GrubMenuEntry[] {
    const file = this.file(relative);
    const verdict = grubScriptCheck(file);
    assert.ok(verdict.ok, `grub-script-check ${file}: ${verdict.output}`);
    return menuEntries(parseGrubScript(fs.readFileSync(file, 'utf8'), file));
  }

  /**
   * Arbor's entries in the grub.cfg are exactly the live deployments in boot order, each
   * naming a kernel and initramfs that exist and an `arbor=` link that resolves to that very
   * deployment.
   */
  assertGrubCfgMatchesStatus(relative = 'boot/grub/grub.cfg', bootPrefix = '/boot'): GrubMenuEntry[] {
    const status: StatusJson = this.state();
    const ours = this.grubEntries(relative).filter((entry) => entry.id?.startsWith('arbor-'));
    assert.deepEqual(
      ours.map((entry) => entry.id),
      status.deployments.map((_, index) => `arbor-${index}`),
    );
    ours.forEach((entry, index) => {
      const deployment = status.deployments[index]!;
      assert.equal(entry.title, `Arbor Test OS ${deployment.version} (arbor:os:${index})`);
      const [kernel, ...cmdline] = entry.linux!;
      const root = bootPrefix === '/boot' ? this.root : this.file('boot');
      assert.ok(fs.existsSync(path.join(root, kernel!)), `${entry.id}: kernel ${kernel}`);
      assert.ok(fs.existsSync(path.join(root, entry.initrd![0]!)), `${entry.id}: initrd ${entry.initrd![0]}`);
      const link = cmdline.find((arg) => arg.startsWith('arbor='))!.slice('arbor='.length);
      assert.deepEqual(cmdline, [...deployment.kargs, `arbor=${link}`]);
      assert.equal(fs.realpathSync(path.join(this.root, link)), this.deploymentPath(deployment.commit, deployment.serial));
    });
    return ours;
  }

  /** grubenv as grub-editenv lists it, as a map. */
  grubenv(relative: string): Map<string, string> {
    const file = this.file(relative);
    assert.equal(fs.statSync(file).size, 1024);
    const listed = grubEditenvList(file);
    const ours = GrubEnv.parse(fs.readFileSync(file), file);
    assert.equal(ours.entries().map(([name, value]) => `${name}=${value}\n`).join(''), listed, 'grub-editenv and our reader agree');
    return new Map(ours.entries());
  }
}
