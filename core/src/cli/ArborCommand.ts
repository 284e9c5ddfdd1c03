import type { Interfaces } from '@oclif/core';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import type { Arbor } from '../Arbor';
import type { ResolvedConfig } from '../createArbor';
import type { Logger, ProgressReporter } from '../HookContext';
import { renderError } from './renderError';

export type ArborFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ArborCommand)['baseFlags'] & T['flags']>;
export type ArborArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

/**
 * The base of every `arbor` command. Commands stay thin: parse, build the kernel from the
 * config, make one library call, return the result (which `--json` prints). Heavy modules are
 * required inside `run()` so that start-up stays fast: with `require`, not `import()`, which
 * for a CommonJS module costs the ESM loader and a parse of its source (~8 ms for a pull).
 */
export abstract class ArborCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    config: Flags.string({
      description: 'Path to a config file (default: search arbor.config.*, .arborrc*, package.json#arbor)',
      helpGroup: 'GLOBAL',
    }),
  };

  protected flags!: ArborFlags<T>;
  protected args!: ArborArgs<T>;

  public override async init(): Promise<void> {
    await super.init();
    const { args, flags } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof ArborCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    });
    this.flags = flags as ArborFlags<T>;
    this.args = args as ArborArgs<T>;
  }

  /** Builds the kernel with the plugins the config names (presets expanded). */
  protected async loadArbor(): Promise<{ arbor: Arbor; config: ResolvedConfig }> {
    const { createArbor } = require('../createArbor.js') as typeof import('../createArbor.js');
    return createArbor({ configPath: this.flags.config, logger: this.logger(), progress: await this.progressReporter() });
  }

  /** The repo of `--repo R`, or of `--sysroot S` (S/arbor/repo), for commands with repoOrSysrootFlags. */
  protected repoPath(): string {
    const { repoPath } = require('../remote/repoPath.js') as typeof import('../remote/repoPath.js');
    return repoPath(this.flags as { repo?: string; sysroot?: string });
  }

  /** Messages for people go to stderr, so stdout holds only the command's result. */
  protected logger(): Logger {
    const debug = /(^|,)arbor/.test(process.env.DEBUG ?? '');
    const quiet = this.jsonEnabled();
    return {
      debug: (message) => { if (debug) process.stderr.write(`debug: ${message}\n`); },
      info: (message) => { if (!quiet) process.stderr.write(`${message}\n`); },
      warn: (message) => { process.stderr.write(`warning: ${message}\n`); },
    };
  }

  /** Progress bars on a terminal; nothing with --json or when stderr is not a TTY. */
  protected async progressReporter(): Promise<ProgressReporter> {
    const { createProgressReporter } = require('./ProgressBar.js') as typeof import('./ProgressBar.js');
    return createProgressReporter({ enabled: !this.jsonEnabled() && Boolean(process.stderr.isTTY) });
  }

  /**
   * Every failure, usage errors included, is one line on stderr and, with --json, one JSON
   * document on stdout (CLI.md); oclif's own rendering prints its parser's internals.
   */
  protected override async catch(error: Interfaces.CommandError): Promise<unknown> {
    const rendered = renderError(error, {
      command: `${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''}`.trim(),
      flags: [...Object.keys({ ...this.ctor.flags, ...(this.ctor as typeof ArborCommand).baseFlags }), 'json'],
    });
    if (!rendered) return super.catch(error);
    process.exitCode = rendered.exitCode;
    if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify({ error: rendered.json })}\n`);
    process.stderr.write(`${rendered.line}\n`);
    if (rendered.stack) process.stderr.write(`${rendered.stack}\n`);
    return undefined;
  }
}
