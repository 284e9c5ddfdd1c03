import type { Command } from '@oclif/core/command';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { ArborCommand } from '../ArborCommand';
import { closestCommand, toTyped } from '../closestCommand';
import { ArborError } from '../../errors/ArborError';
import { ErrorCode } from '../../errors/codes';

/** `help --json` for a command: what its help shows, from the manifest. */
interface CommandHelp {
  command: string;
  summary: string | null;
  description: string | null;
  examples: Array<{ description: string | null; command: string }>;
  args: Array<{ name: string; description: string | null; required: boolean }>;
  flags: Array<{ name: string; char: string | null; description: string | null; required: boolean; type: string; multiple: boolean; options: string[] | null }>;
}

/** `help --json` for a topic, or for the whole CLI: the commands in it. */
interface TopicHelp {
  topic: string | null;
  commands: Array<{ command: string; summary: string | null }>;
}

export default class Help extends ArborCommand<typeof Help> {
  static override summary = 'Show help for a command or a topic: usage, flags and examples.';
  static override description = 'The same as COMMAND --help. Plugins\' commands are included.';
  static override examples = [
    { description: 'Every command', command: '<%= config.bin %> help' },
    { description: 'One command, with its examples', command: '<%= config.bin %> help rpm info' },
    { description: 'The commands of a topic', command: '<%= config.bin %> help sysroot' },
    { description: 'A command\'s flags and examples, machine-readable', command: '<%= config.bin %> help deploy --json' },
  ];

  static override strict = false;

  static override args = {
    command: Args.string({ description: 'The command or topic, e.g. `rpm info`', required: false }),
  };

  static override flags = {
    'nested-commands': Flags.boolean({ char: 'n', description: 'List the commands inside topics too' }),
  };

  async run(): Promise<CommandHelp | TopicHelp> {
    const words = this.argv.filter((arg) => !arg.startsWith('-'));
    const subject = this.findSubject(words);
    if (!this.jsonEnabled()) {
      const { loadHelpClass } = require('@oclif/core/help') as typeof import('@oclif/core/help');
      const HelpClass = await loadHelpClass(this.config);
      const help = new HelpClass(this.config, { ...this.config.pjson.oclif.helpOptions, all: this.flags['nested-commands'] });
      await help.showHelp(subject ? subject.split(':') : []);
    }
    const command = subject ? this.config.findCommand(subject) : undefined;
    return command ? this.describeCommand(command) : this.describeTopic(subject);
  }

  /** The longest run of words that names a command or a topic, in oclif's `a:b` form. */
  private findSubject(words: string[]): string | undefined {
    if (words.length === 0) return undefined;
    for (let count = words.length; count > 0; count--) {
      const id = words.slice(0, count).join(':');
      if (this.config.findCommand(id) || this.config.findTopic(id)) return id;
    }
    const typed = words.join(' ');
    const suggestion = closestCommand(this.config, words.join(':'));
    throw new ArborError(ErrorCode.USAGE, `${typed} is not an ${this.config.bin} command or topic${suggestion ? `; did you mean ${suggestion}?` : ''}`, {
      hint: `${this.config.bin} help lists every command`,
      exitCode: 2,
    });
  }

  private describeCommand(command: Command.Loadable): CommandHelp {
    const render = (text: string) => text.replaceAll('<%= config.bin %>', this.config.bin);
    return {
      command: toTyped(this.config, command.id),
      summary: command.summary ?? null,
      description: command.description ?? null,
      examples: (command.examples ?? []).map((example) => typeof example === 'string'
        ? { description: null, command: render(example) }
        : { description: render(example.description), command: render(example.command) }),
      args: Object.values(command.args).map((arg) => ({ name: arg.name, description: arg.description ?? null, required: Boolean(arg.required) })),
      flags: Object.values(command.flags).filter((flag) => !flag.hidden).map((flag) => ({
        name: flag.name,
        char: flag.char ?? null,
        description: flag.description ?? null,
        required: Boolean(flag.required),
        type: flag.type,
        multiple: flag.type === 'option' && Boolean(flag.multiple),
        options: flag.type === 'option' && flag.options ? [...flag.options] : null,
      })),
    };
  }

  private describeTopic(topic: string | undefined): TopicHelp {
    const inTopic = (id: string) => topic === undefined || id.startsWith(`${topic}:`);
    const commands = this.config.commands.filter((command) => !command.hidden && inTopic(command.id))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((command) => ({ command: toTyped(this.config, command.id), summary: command.summary ?? null }));
    return { topic: topic === undefined ? null : toTyped(this.config, topic), commands };
  }
}
