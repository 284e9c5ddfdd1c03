import { tokenizeGrubScript, type GrubToken } from './GrubLexer';
import type { GrubCommand, GrubFor, GrubFunction, GrubIf, GrubItem, GrubLoop, GrubScript } from './GrubScript';
import { GrubSyntaxError } from './GrubSyntaxError';
import { grubWordValue } from './grubWord';

/** Words that open or close a compound statement when they start a command (parser.y). */
const RESERVED = new Set(['if', 'then', 'elif', 'else', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'function', 'case', 'esac', 'select']);

/**
 * Parses a grub.cfg into the lossless tree of GrubScript.ts. It accepts what GRUB's parser
 * accepts and refuses with a GrubSyntaxError (file and line) what it would refuse in
 * structure: an unclosed block, quote or `if`, a stray `}` or `fi`. Tokens GRUB's grammar
 * has no rule for (`&`, `|`, `<`, `>`) are kept as words, so even a legacy GRUB 0.97
 * `grub.conf` round-trips.
 */
export function parseGrubScript(text: string, source = 'grub.cfg'): GrubScript {
  return new GrubParser(tokenizeGrubScript(text, source), source).parseTopLevel();
}

type StopWords = ReadonlySet<string>;

class GrubParser {
  private at = 0;

  constructor(private readonly tokens: GrubToken[], private readonly source: string) {}

  parseTopLevel(): GrubScript {
    const script = this.parseScript(new Set(), false);
    const stray = this.tokens[this.at];
    if (stray) this.fail(stray, `unexpected "${stray.text}"`);
    return script;
  }

  /**
   * Statements up to a stop word at a command's start (`then`, `fi`, `done` ...), a `}` when
   * `inBlock`, or the end of input; the stop token itself is left for the caller.
   */
  private parseScript(stopWords: StopWords, inBlock: boolean): GrubScript {
    const items: GrubItem[] = [];
    let atCommandStart = true;
    const pushGap = (text: string) => {
      const last = items.at(-1);
      if (last?.type === 'gap') last.text += text;
      else items.push({ type: 'gap', text });
    };
    for (;;) {
      const token = this.tokens[this.at];
      if (!token) return items;
      switch (token.kind) {
        case 'blank':
          pushGap(token.text);
          this.at++;
          continue;
        case 'newline':
        case 'semicolon':
          pushGap(token.text);
          atCommandStart = true;
          this.at++;
          continue;
        case 'comment':
          items.push({ type: 'comment', text: token.text });
          this.at++;
          continue;
        case 'close':
          if (inBlock) return items;
          this.fail(token, 'unexpected "}"');
          break;
        case 'open':
          this.fail(token, 'a "{" block must follow a command word');
          break;
        default:
          break;
      }
      if (token.kind === 'word' && stopWords.has(token.text) && atCommandStart) return items;
      if (!atCommandStart) this.fail(token, `expected a newline or ";" before "${token.text}"`);
      items.push(this.parseStatement(token));
      atCommandStart = false;
    }
  }

  private parseStatement(token: GrubToken): GrubItem {
    if (token.kind === 'word' && RESERVED.has(token.text)) {
      switch (token.text) {
        case 'if':
          return this.parseIf();
        case 'for':
          return this.parseFor();
        case 'while':
        case 'until':
          return this.parseLoop(token.text);
        case 'function':
          return this.parseFunction(token);
        default:
          this.fail(token, `unexpected "${token.text}"`);
      }
    }
    return this.parseCommand();
  }

  private parseCommand(): GrubCommand {
    const command: GrubCommand = { type: 'command', words: [], gaps: [] };
    for (;;) {
      command.words.push(this.tokens[this.at++]!.text);
      const blank = this.tokens[this.at]?.kind === 'blank' ? this.tokens[this.at]!.text : '';
      const next = this.tokens[this.at + (blank ? 1 : 0)];
      if (next?.kind === 'word' || next?.kind === 'operator') {
        command.gaps.push(blank);
        if (blank) this.at++;
        continue;
      }
      if (next?.kind === 'open') {
        command.gaps.push(blank);
        this.at += blank ? 2 : 1;
        command.block = this.parseScript(new Set(), true);
        this.expectClose(next);
      }
      return command;
    }
  }

  private parseIf(): GrubIf {
    const opening = this.tokens[this.at++]!;
    const node: GrubIf = { type: 'if', branches: [] };
    let keyword: 'if' | 'elif' | 'else' = 'if';
    for (;;) {
      if (keyword === 'else') {
        node.branches.push({ keyword, body: this.parseScript(new Set(['fi']), false) });
      } else {
        const condition = this.parseScript(new Set(['then']), false);
        this.expectWord('then', opening);
        node.branches.push({ keyword, condition, body: this.parseScript(new Set(['elif', 'else', 'fi']), false) });
      }
      const next = this.tokens[this.at];
      if (!next) this.fail(opening, 'this "if" is never closed with "fi"');
      this.at++;
      if (next.text === 'fi') return node;
      if (keyword === 'else') this.fail(next, `unexpected "${next.text}" after "else"`);
      keyword = next.text as 'elif' | 'else';
    }
  }

  private parseFor(): GrubFor {
    const opening = this.tokens[this.at++]!;
    let head = '';
    let afterDelimiter = false;
    for (;;) {
      const token = this.tokens[this.at];
      if (!token) this.fail(opening, 'this "for" has no "do"');
      if (token.kind === 'word' && token.text === 'do' && afterDelimiter) break;
      if (token.kind === 'newline' || token.kind === 'semicolon') afterDelimiter = true;
      else if (token.kind !== 'blank' && token.kind !== 'comment') afterDelimiter = false;
      head += token.text;
      this.at++;
    }
    this.at++;
    const body = this.parseScript(new Set(['done']), false);
    this.expectWord('done', opening);
    return { type: 'for', head, body };
  }

  private parseLoop(type: 'while' | 'until'): GrubLoop {
    const opening = this.tokens[this.at++]!;
    const condition = this.parseScript(new Set(['do']), false);
    this.expectWord('do', opening);
    const body = this.parseScript(new Set(['done']), false);
    this.expectWord('done', opening);
    return { type, condition, body };
  }

  /** `function NAME`, then optional newlines, then `{ ... }` (parser.y's `function` rule). */
  private parseFunction(opening: GrubToken): GrubFunction {
    this.at++;
    let head = '';
    let name: string | undefined;
    for (;;) {
      const token = this.tokens[this.at];
      if (!token) this.fail(opening, 'this "function" has no body');
      if (token.kind === 'open' && name !== undefined) break;
      if (token.kind === 'word' && name === undefined) name = grubWordValue(token.text);
      else if (token.kind !== 'blank' && !(token.kind === 'newline' && name !== undefined)) {
        this.fail(token, `expected a function name and "{", got "${token.text}"`);
      }
      head += token.text;
      this.at++;
    }
    const open = this.tokens[this.at++]!;
    const body = this.parseScript(new Set(), true);
    this.expectClose(open);
    return { type: 'function', name: name as string, head, body };
  }

  private expectWord(word: string, opening: GrubToken): void {
    const token = this.tokens[this.at];
    if (token?.kind !== 'word' || token.text !== word) this.fail(opening, `this "${opening.text}" is never followed by "${word}"`);
    this.at++;
  }

  private expectClose(open: GrubToken): void {
    if (this.tokens[this.at]?.kind !== 'close') this.fail(open, 'this "{" block is never closed');
    this.at++;
  }

  private fail(token: GrubToken, problem: string): never {
    throw new GrubSyntaxError(this.source, token.line, problem);
  }
}
