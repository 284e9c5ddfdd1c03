import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, type ArborRun } from './runArbor';

/**
 * A project outside this workspace that installs Arbor the way a third party would: every
 * workspace package packed with `npm pack` and installed from the tarballs with `npm install`
 * (the registry only for their own dependencies), plus plugins packed from folders. Nothing
 * in it links back into the repository.
 */
/** Native builds in the workspace and where the packed install keeps the same package's. */
export const NATIVE_BUILDS: [string, string][] = [
  ['core/build', '@arbor/core/build'],
  ['node_modules/zstd-napi/build', 'zstd-napi/build'],
  ['node_modules/better-sqlite3/build', 'better-sqlite3/build'],
];

export class PackedProject {
  private constructor(readonly dir: string) {}

  /** Packs the workspace once per process; the tarballs are shared by every project. */
  private static tarballs: string[] | undefined;

  static packWorkspace(): string[] {
    if (!PackedProject.tarballs) {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-packed-'));
      const json = execFileSync('npm', ['pack', '--workspaces', '--pack-destination', out, '--json', '--loglevel=error'], {
        cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
      });
      PackedProject.tarballs = (JSON.parse(json) as { filename: string }[]).map((entry) => path.join(out, entry.filename));
    }
    return PackedProject.tarballs;
  }

  /** `npm install`s the packed workspace and the given plugin folders (packed first) into `dir`. */
  static create(dir: string, pluginDirs: string[] = []): PackedProject {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'acme-os', version: '1.0.0', private: true }, null, 2));
    const plugins = pluginDirs.map((plugin) => {
      const name = execFileSync('npm', ['pack', plugin, '--pack-destination', dir, '--loglevel=error'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
      return path.join(dir, name);
    });
    // Install scripts would compile three native addons (ours, zstd-napi, better-sqlite3) again,
    // minutes on a busy machine; the workspace's builds of the same versions are copied instead.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error', ...PackedProject.packWorkspace(), ...plugins], {
      cwd: dir, stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (const [from, to] of NATIVE_BUILDS) {
      const source = path.join(REPO_ROOT, from);
      const target = path.join(dir, 'node_modules', to);
      if (fs.existsSync(source) && fs.existsSync(path.dirname(target))) fs.cpSync(source, target, { recursive: true });
    }
    return new PackedProject(dir);
  }

  get bin(): string {
    return path.join(this.dir, 'node_modules', '@arbor', 'core', 'bin', 'run.js');
  }

  writeConfig(config: Record<string, unknown>): void {
    fs.writeFileSync(path.join(this.dir, 'arbor.config.json'), JSON.stringify(config, null, 2));
  }

  /** Runs the project's own `arbor` from its directory, so its config and node_modules apply. */
  arbor(...args: string[]): ArborRun {
    const result = spawnSync(process.execPath, [this.bin, ...args], { cwd: this.dir, encoding: 'utf8', env: { ...process.env, DEBUG: '' } });
    const stdout = String(result.stdout);
    return {
      status: result.status ?? -1,
      stdout,
      stderr: String(result.stderr),
      json<T>() {
        return JSON.parse(stdout) as T;
      },
    };
  }

  /** Like arbor(), failing with the output when the command does not exit 0. */
  arborOk(...args: string[]): ArborRun {
    const run = this.arbor(...args);
    if (run.status !== 0) throw new Error(`arbor ${args.join(' ')} exited ${run.status}:\n${run.stderr}${run.stdout}`);
    return run;
  }
}
