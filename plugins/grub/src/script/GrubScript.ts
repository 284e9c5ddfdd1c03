/**
 * A grub.cfg as a lossless syntax tree: every byte of the source lives in exactly one node,
 * so `printGrubScript(parseGrubScript(text)) === text`, and a tree printed then parsed again
 * is deep-equal to itself. Nodes follow GRUB's grammar (grub-core/script/parser.y):
 * commands (the last argument may be a `{ ... }` block, which is how `menuentry` and
 * `submenu` take their bodies), `if`/`elif`/`else`, `for`, `while`/`until` and `function`.
 */
export type GrubItem = GrubCommand | GrubIf | GrubFor | GrubLoop | GrubFunction | GrubComment | GrubGap;
export type GrubScript = GrubItem[];

/** Blanks, newlines and `;` between statements: kept verbatim. */
export interface GrubGap {
  type: 'gap';
  text: string;
}

/** A `#` comment, without its newline. */
export interface GrubComment {
  type: 'comment';
  text: string;
}

/**
 * `word word ... [{ block }]`. `words` are as written (quotes and escapes kept; see grubWord
 * for their values) and `gaps[i]` is the blank text after `words[i]`: one fewer gap than
 * words, or as many when a block follows (the gap before its `{`).
 */
export interface GrubCommand {
  type: 'command';
  words: string[];
  gaps: string[];
  block?: GrubScript;
}

export interface GrubIfBranch {
  keyword: 'if' | 'elif' | 'else';
  /** Everything between the keyword and `then`; absent for `else`. */
  condition?: GrubScript;
  body: GrubScript;
}

export interface GrubIf {
  type: 'if';
  branches: GrubIfBranch[];
}

/** `for NAME in WORDS; do BODY done`; `head` is the text between `for` and `do`. */
export interface GrubFor {
  type: 'for';
  head: string;
  body: GrubScript;
}

export interface GrubLoop {
  type: 'while' | 'until';
  condition: GrubScript;
  body: GrubScript;
}

/** `function NAME { BODY }`; `head` is the text between `function` and `{`. */
export interface GrubFunction {
  type: 'function';
  name: string;
  head: string;
  body: GrubScript;
}

export function printGrubScript(script: GrubScript): string {
  return script.map(printItem).join('');
}

function printItem(item: GrubItem): string {
  switch (item.type) {
    case 'gap':
    case 'comment':
      return item.text;
    case 'command': {
      let text = '';
      item.words.forEach((word, i) => {
        text += word + (item.gaps[i] ?? '');
      });
      return item.block ? `${text}{${printGrubScript(item.block)}}` : text;
    }
    case 'if':
      return (
        item.branches
          .map((branch) =>
            branch.keyword === 'else'
              ? `else${printGrubScript(branch.body)}`
              : `${branch.keyword}${printGrubScript(branch.condition ?? [])}then${printGrubScript(branch.body)}`,
          )
          .join('') + 'fi'
      );
    case 'for':
      return `for${item.head}do${printGrubScript(item.body)}done`;
    case 'while':
    case 'until':
      return `${item.type}${printGrubScript(item.condition)}do${printGrubScript(item.body)}done`;
    case 'function':
      return `function${item.head}{${printGrubScript(item.body)}}`;
  }
}

/** Every command in the script, depth first, including those inside blocks and branches. */
export function* walkGrubCommands(script: GrubScript): Generator<GrubCommand> {
  for (const item of script) {
    switch (item.type) {
      case 'command':
        yield item;
        if (item.block) yield* walkGrubCommands(item.block);
        break;
      case 'if':
        for (const branch of item.branches) {
          yield* walkGrubCommands(branch.condition ?? []);
          yield* walkGrubCommands(branch.body);
        }
        break;
      case 'while':
      case 'until':
        yield* walkGrubCommands(item.condition);
        yield* walkGrubCommands(item.body);
        break;
      case 'for':
      case 'function':
        yield* walkGrubCommands(item.body);
        break;
    }
  }
}
