import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Repo } from '@arbor/core/store';
import { runArbor, type ArborRun } from '../support/runArbor';

/** `arbor status --json`, the fields these tests read. */
export interface StatusJson {
  deployments: Array<{ index: number; commit: string; serial: number; version?: string; path: string; default: boolean }>;
}

/**
 * One preset driven end to end through the real CLI, as an integrator would: a config naming
 * the preset, `compose tree` into a compose repo, `sysroot init --bootloader`, `pull-local`
 * from the compose repo into the sysroot, then `deploy`.
 */
export class PresetLab {
  readonly config: string;
  readonly composeRepo: string;
  readonly sysroot: string;

  constructor(readonly dir: string, readonly preset: string, configExtra: Record<string, unknown> = {}) {
    fs.mkdirSync(dir, { recursive: true });
    this.config = path.join(dir, 'arbor.config.json');
    fs.writeFileSync(this.config, JSON.stringify({ preset, ...configExtra }));
    this.composeRepo = path.join(dir, 'compose-repo');
    this.sysroot = path.join(dir, 'sysroot');
  }

  run(...args: string[]): ArborRun {
    const run = runArbor([...args, '--config', this.config]);
    if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
    return run;
  }

  /** Composes `treefile` (an object, written as JSON beside the config) into a fresh bare compose repo. */
  compose(treefile: Record<string, unknown>, name = 'tree.json'): { commit: string; ref: string } {
    // In process: `arbor init` has its own tests, and each CLI start costs ~0.5 s here.
    if (!fs.existsSync(this.composeRepo)) Repo.init(this.composeRepo, { mode: 'bare' });
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, JSON.stringify(treefile));
    return this.run('compose', 'tree', file, '--repo', this.composeRepo, '--json').json<{ commit: string; ref: string }>();
  }

  /** `sysroot init` with the bootloader the preset brings, then `prepare` (a bootloader's /boot as its distribution leaves it). */
  initSysroot(bootloader: string, prepare?: (sysroot: string) => void): void {
    this.run('sysroot', 'init', this.sysroot, '--stateroot', 'os', '--bootloader', bootloader);
    fs.mkdirSync(path.join(this.sysroot, 'boot'), { recursive: true });
    prepare?.(this.sysroot);
  }

  /** pull-local of `ref` from the compose repo into the sysroot's repo, then deploy it. */
  deploy(ref: string, ...deployArgs: string[]): StatusJson {
    this.run('pull-local', this.composeRepo, ref, '--sysroot', this.sysroot);
    this.run('deploy', ref, '--sysroot', this.sysroot, ...deployArgs);
    return this.status();
  }

  status(): StatusJson {
    return this.run('status', '--sysroot', this.sysroot, '--json').json<StatusJson>();
  }

  file(relative: string): string {
    return path.join(this.sysroot, relative);
  }

  /** The default deployment holds `files` with these contents, and etc/ is the copy of usr/etc. */
  assertDeployed(status: StatusJson, commit: string, files: Record<string, string>): string {
    const deployment = status.deployments[0]!;
    assert.equal(deployment.commit, commit);
    assert.ok(deployment.default);
    const root = path.isAbsolute(deployment.path) ? deployment.path : path.join(this.sysroot, deployment.path);
    for (const [file, content] of Object.entries(files)) {
      assert.equal(fs.readFileSync(path.join(root, file), 'utf8'), content, file);
    }
    return root;
  }
}
