import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Arbor } from '@arbor/core';
import { commitTree, Repo } from '@arbor/core/store';
import type { SysrootStatus } from '@arbor/core/sysroot';
import { FIXTURES, runArbor, type ArborRun } from '../support/runArbor';
import { writeTree } from '../support/tempDir';
import { buildOsTree, TestSysroot } from '../sysroot/sysrootFixture';

/** The toy layer plugin (test/fixtures/plugins): its packages are files under usr/share/toylayer. */
export const TOYLAYER = path.join(FIXTURES, 'plugins', 'arbor-plugin-toylayer');
export const BRANCH = 'os/x86_64';

/** One base version: the toy packages it ships (name -> version) besides the test OS. */
export interface ToyBase {
  version: string;
  packages: Record<string, string>;
}

/**
 * A sysroot with a toy package repo and a config that loads the toy layer plugin on top of
 * the default preset; commands run through the real CLI with that config.
 */
export class LayeringSysroot extends TestSysroot {
  readonly config: string;
  readonly toyRepo: string;

  private constructor(root: string, readonly scratch: string, options: { delayMs?: number; plugin?: boolean }) {
    super(root);
    this.toyRepo = path.join(scratch, 'toyrepo');
    this.config = path.join(scratch, options.plugin === false ? 'bare.config.json' : 'arbor.config.json');
    const plugins = options.plugin === false ? [] : [[TOYLAYER, options.delayMs ? { delayMs: options.delayMs } : {}]];
    fs.writeFileSync(this.config, JSON.stringify({ plugins }));
  }

  static make(scratch: string, options: { delayMs?: number; plugin?: boolean } = {}): LayeringSysroot {
    const root = path.join(scratch, 'sysroot');
    TestSysroot.create(root);
    const sysroot = new LayeringSysroot(root, scratch, options);
    writeTree(sysroot.toyRepo, {
      'htop.toy': 'name=htop\nversion=3.3\n',
      'strace.toy': 'name=strace\nversion=6.7\n',
    });
    return sysroot;
  }

  /** Commits a base: the test OS, its toy packages, and a toylayer.repo default naming the repo. */
  async commitBase(base: ToyBase, branch = BRANCH): Promise<string> {
    const tree = path.join(this.scratch, `base-${base.version}-${Date.now()}`);
    buildOsTree(tree, { version: base.version, etc: { 'toylayer.repo': `${this.toyRepo}\n`, 'os.conf': `version=${base.version}\n` } });
    writeTree(tree, {
      ...Object.fromEntries(Object.entries(base.packages).map(([name, version]) => [`usr/share/toylayer/pkgs/${name}`, `${version}\n`])),
      'usr/share/toylayer/db': `${Object.keys(base.packages).sort().join('\n')}\n`,
    });
    const result = await commitTree(new Arbor(), Repo.open(this.repoPath), { tree, branch, subject: `base ${base.version}`, metadata: { version: base.version } });
    fs.rmSync(tree, { recursive: true, force: true });
    return result.commit;
  }

  /** `arbor <args> --sysroot S --config C`, whatever its exit code. */
  arbor(...args: string[]): ArborRun {
    return runArbor([...args, '--sysroot', this.root, '--config', this.config]);
  }

  /** Like arbor(), expecting exit 0. */
  ok(...args: string[]): ArborRun {
    const run = this.arbor(...args);
    assert.equal(run.status, 0, `arbor ${args.join(' ')} exited ${run.status}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return run;
  }

  /** Like arbor(), expecting exit 1 with one `Error:` line carrying `code`. */
  fails(code: string, ...args: string[]): ArborRun {
    const run = this.arbor(...args);
    assert.equal(run.status, 1, `arbor ${args.join(' ')} should fail\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    assert.match(run.stderr, new RegExp(`^Error: .*\\[${code}\\]`), run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    return run;
  }

  /** `arbor <args> --repo SYSROOT/arbor/repo`, expecting exit 0 (store commands take no --sysroot). */
  repoOk(...args: string[]): ArborRun {
    const run = runArbor([...args, '--repo', this.repoPath]);
    assert.equal(run.status, 0, `arbor ${args.join(' ')} exited ${run.status}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
    return run;
  }

  statusJson(): SysrootStatus {
    return this.ok('status', '--json').json<SysrootStatus>();
  }

  /** The repo, opened in-process for checks of commits and refs. */
  repo(): Repo {
    return Repo.open(this.repoPath);
  }

  /** Every origin file of the stateroot with its text: a failed command must leave them all. */
  origins(): Record<string, string> {
    const dir = path.join(this.root, 'arbor', 'deploy', this.stateroot, 'deploy');
    return Object.fromEntries(fs.readdirSync(dir).filter((name) => name.endsWith('.origin')).sort().map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));
  }
}
