import type { Config, Hook } from '@oclif/core/interfaces';
import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';
import { closestCommand, toTyped } from './closestCommand';
import { renderError, USAGE_EXIT } from './renderError';

/**
 * oclif's `command_not_found` hook: `arbor stauts` says "did you mean status?".
 *
 * At a terminal, @oclif/plugin-not-found asks whether to run the suggestion instead. Anywhere
 * else (a script, a pipe, a test) nobody can answer, so nothing waits: one line, or with --json
 * one JSON document on stdout, and exit code 2, a usage error as CLI.md defines it. The
 * declined prompt exits 2 as well (the plugin's own choice is 127, the shell's "not found").
 */
const commandNotFound: Hook.CommandNotFound = async function (options) {
  const json = options.argv?.includes('--json') ?? false;
  if (!json && process.stdin.isTTY && process.stderr.isTTY) {
    const { default: askToRunClosest } = (await import('@oclif/plugin-not-found')) as { default: Hook.CommandNotFound };
    try {
      return await askToRunClosest.call(this, options);
    } catch (error) {
      const exit = (error as { oclif?: { exit?: number } }).oclif;
      if (exit?.exit === 127) exit.exit = USAGE_EXIT;
      throw error;
    }
  }
  const error = notACommand(options.config, options.id);
  const rendered = renderError(error)!;
  if (json) process.stdout.write(`${JSON.stringify({ error: { ...rendered.json, suggestion: error.suggestion ?? null } })}\n`);
  process.stderr.write(`${rendered.line}\n`);
  this.exit(USAGE_EXIT);
};

/**
 * The usage error for an unknown command, with the closest one when there is one; or, when the
 * words start with a real command that takes no arguments (`arbor rollback extra`), the
 * argument it does not take.
 */
function notACommand(config: Config, typedId: string): ArborError & { suggestion?: string } {
  const words = typedId.split(':');
  for (let length = words.length - 1; length > 0; length--) {
    const command = words.slice(0, length).join(':');
    if (!config.findCommand(command)) continue;
    const typedCommand = `${config.bin} ${toTyped(config, command)}`;
    return new ArborError(ErrorCode.USAGE, `Unexpected argument: ${typedCommand} takes no argument "${words.slice(length).join(' ')}"`, {
      hint: `see ${typedCommand} --help`,
      exitCode: USAGE_EXIT,
    });
  }
  const id = unknownCommandId(config, typedId);
  const typed = toTyped(config, id);
  const suggestion = closestCommand(config, id);
  const guess = suggestion ? `; did you mean ${suggestion}?` : '';
  const error: ArborError & { suggestion?: string } = new ArborError(ErrorCode.USAGE, `${typed} is not an ${config.bin} command${guess}`, {
    hint: `${config.bin} help lists every command`,
    exitCode: USAGE_EXIT,
  });
  error.suggestion = suggestion;
  return error;
}

/**
 * oclif joins every word before the first flag into the id it could not find
 * (`arbor sysroot inti /mnt` gives `sysroot:inti:/mnt`). The command meant is the topics that
 * exist, then one word.
 */
function unknownCommandId(config: Config, id: string): string {
  const words = id.split(':');
  let topics = 0;
  while (topics < words.length - 1 && config.findTopic(words.slice(0, topics + 1).join(':'))) topics++;
  return words.slice(0, topics + 1).join(':');
}

export default commandNotFound;
