import { GrubSyntaxError } from './GrubSyntaxError';

/**
 * One lexical token of a grub.cfg, with its exact source text, so that joining every token's
 * `text` gives the input back byte for byte.
 *
 * The rules follow GRUB's own scripting lexer (grub-core/script/yylex.l) and the manual's
 * "Shell-like scripting" chapter:
 * - blanks are spaces and tabs; a newline and `;` end a command;
 * - `#` starts a comment only where a token starts (`a#b` is one word);
 * - `{` and `}` are tokens of their own wherever they appear outside quotes and `${...}`;
 * - `|`, `&`, `<`, `>` (and `||`, `&&`, `;;`) are tokens GRUB's grammar has no use for;
 * - a word joins plain characters, `\`-escapes (a backslash-newline continues the word),
 *   '...' (literal, may span lines), "..." and $"..." (with `\` escapes), and variables
 *   ($name, ${name}, $1, $?, $#, $*, $@).
 */
export type GrubTokenKind = 'blank' | 'comment' | 'newline' | 'semicolon' | 'operator' | 'open' | 'close' | 'word';

export interface GrubToken {
  kind: GrubTokenKind;
  text: string;
  /** 1-based line of the token's first character, for error messages. */
  line: number;
}

const WORD_STOP = new Set(['{', '}', '|', '&', ';', '<', '>', ' ', '\t', '\n']);
const SPECIAL_VARIABLE = /^[?#*@]/;
const NAME_OR_DIGITS = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+)/;

export function tokenizeGrubScript(text: string, source = 'grub.cfg'): GrubToken[] {
  const tokens: GrubToken[] = [];
  let line = 1;
  let at = 0;
  const push = (kind: GrubTokenKind, end: number) => {
    const tokenText = text.slice(at, end);
    tokens.push({ kind, text: tokenText, line });
    for (const char of tokenText) if (char === '\n') line++;
    at = end;
  };
  while (at < text.length) {
    const char = text[at]!;
    if (char === ' ' || char === '\t') {
      let end = at + 1;
      while (text[end] === ' ' || text[end] === '\t') end++;
      push('blank', end);
    } else if (char === '\n') {
      push('newline', at + 1);
    } else if (char === '#') {
      const newline = text.indexOf('\n', at);
      push('comment', newline < 0 ? text.length : newline);
    } else if (char === ';') {
      push(text[at + 1] === ';' ? 'operator' : 'semicolon', text[at + 1] === ';' ? at + 2 : at + 1);
    } else if (char === '|' || char === '&') {
      push('operator', text[at + 1] === char ? at + 2 : at + 1);
    } else if (char === '<' || char === '>') {
      push('operator', at + 1);
    } else if (char === '{') {
      push('open', at + 1);
    } else if (char === '}') {
      push('close', at + 1);
    } else {
      push('word', wordEnd(text, at, line, source));
    }
  }
  return tokens;
}

/** Where the word starting at `start` ends (exclusive). */
function wordEnd(text: string, start: number, line: number, source: string): number {
  let at = start;
  while (at < text.length && !WORD_STOP.has(text[at]!)) {
    const char = text[at]!;
    if (char === '\\') {
      at = Math.min(at + 2, text.length);
    } else if (char === "'") {
      const close = text.indexOf("'", at + 1);
      if (close < 0) throw new GrubSyntaxError(source, line, 'a single-quoted string is never closed');
      at = close + 1;
    } else if (char === '"') {
      at = doubleQuotedEnd(text, at, line, source);
    } else if (char === '$') {
      at = variableEnd(text, at, line, source);
    } else {
      at++;
    }
  }
  return at;
}

/** `"..."`: a backslash escapes the next character (yylex.l's DQCHR). */
function doubleQuotedEnd(text: string, quote: number, line: number, source: string): number {
  let at = quote + 1;
  while (at < text.length) {
    if (text[at] === '\\') at += 2;
    else if (text[at] === '"') return at + 1;
    else at++;
  }
  throw new GrubSyntaxError(source, line, 'a double-quoted string is never closed');
}

function variableEnd(text: string, dollar: number, line: number, source: string): number {
  const next = text[dollar + 1];
  if (next === '"') return doubleQuotedEnd(text, dollar + 1, line, source);
  if (next === '{') {
    const close = text.indexOf('}', dollar + 2);
    const name = close < 0 ? '' : text.slice(dollar + 2, close);
    if (!/^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[?#*@])$/.test(name)) {
      throw new GrubSyntaxError(source, line, `"\${${name}" is not a variable reference`);
    }
    return close + 1;
  }
  const rest = text.slice(dollar + 1, dollar + 200);
  if (SPECIAL_VARIABLE.test(rest)) return dollar + 2;
  const name = NAME_OR_DIGITS.exec(rest);
  if (name) return dollar + 1 + name[0].length;
  // GRUB rejects a `$` that starts no variable; the word keeps it so the text round-trips.
  return dollar + 1;
}
