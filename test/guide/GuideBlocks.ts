import fs from 'node:fs';

/** One fenced code block of a Markdown page (CommonMark §4.5: ``` or ~~~ fences, an info string). */
export interface CodeBlock {
  /** The info string's first word (`sh`, `yaml`, ...); '' for a bare fence. */
  language: string;
  /** The info string's other words, e.g. `boot` in ```` ```sh boot ````. */
  tags: string[];
  /** The 1-based line of the opening fence. */
  line: number;
  code: string;
}

/** The languages whose blocks the guide test runs. */
export const SHELL_LANGUAGE = 'sh';
/** A tag on a `sh` block that boots a machine: run where qemu and OVMF are, a visible skip elsewhere. */
export const BOOT_TAG = 'boot';

/** Languages that are shell under another name: a block tagged so would hide its commands from the test. */
const SHELL_ALIASES = new Set(['bash', 'shell', 'console', 'shell-session', 'zsh', 'sh-session', 'terminal']);
/** A line that is a command someone would type: a `$ ` prompt, or a program the guide's commands start with (not `# `: YAML comments). */
const COMMAND_LINE = /^\s*(\$ |sudo |arbor |npm |npx |node |nginx |mount |umount |mkfs|qemu-|createrepo_c |rpmbuild |cd |export |cat > )/;

/** Every fenced block of a Markdown text, in order. Unclosed fences run to the end, as CommonMark says. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const fence = open[1]!;
    const [language = '', ...tags] = open[2]!.trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length; end++) {
      const close = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
      if (close.test(lines[end]!)) break;
      body.push(lines[end]!);
    }
    blocks.push({ language: language.toLowerCase(), tags, line: index + 1, code: body.join('\n') });
    index = end;
  }
  return blocks;
}

export function readBlocks(file: string): CodeBlock[] {
  return codeBlocks(fs.readFileSync(file, 'utf8'));
}

/**
 * Why a block would keep commands out of the guide test, or undefined when it is fine: shell
 * must be tagged `sh` (the runner's language), a `sh` block takes no tag but `boot`, and a
 * block of another language (YAML, JSON, output) holds no line that reads as a command.
 */
export function hiddenCommands(block: CodeBlock): string | undefined {
  if (block.language === SHELL_LANGUAGE) {
    const unknown = block.tags.filter((tag) => tag !== BOOT_TAG);
    return unknown.length ? `a sh block with the tag(s) ${unknown.join(', ')}, which the test does not know` : undefined;
  }
  if (SHELL_ALIASES.has(block.language)) return `shell tagged "${block.language}": the test runs only "sh" blocks`;
  const command = block.code.split('\n').find((line) => COMMAND_LINE.test(line));
  if (command !== undefined) return `a "${block.language || 'untagged'}" block with a command line: ${command.trim()}`;
  return undefined;
}
