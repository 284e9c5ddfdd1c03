/**
 * Translates the PCRE2 regexes of file_contexts into JavaScript RegExp source with the same
 * meaning for libselinux's use of them: compiled with PCRE2_DOTALL only (no UTF, no UCP, default
 * "C" tables), matched against the path's bytes. Subjects and patterns are therefore handled as
 * latin1 strings (one char per byte), and every construct whose JavaScript meaning differs is
 * rewritten (\s, \h, \v, $, POSIX classes, `]` first in a class) or refused with
 * UntranslatableRegex (backreferences, possessive quantifiers, atomic groups, inline options,
 * recursion, verbs). PCRE2 10.42 syntax: the version Debian 12's libselinux uses.
 */

/** A PCRE2 construct with no exact JavaScript equivalent; `construct` is its text in the pattern. */
export class UntranslatableRegex extends Error {
  constructor(
    readonly construct: string,
    readonly reason: string,
  ) {
    super(`${reason}: ${construct}`);
    this.name = 'UntranslatableRegex';
  }
}

export interface TranslatedRegex {
  /** JavaScript source to compile with the `s` flag (PCRE2_DOTALL), anchored as libselinux anchors it. */
  source: string;
  /** Text every matching path starts with: the leading literal characters, none when the top level alternates. */
  requiredPrefix: string;
  /** When the pattern is nothing but literal characters, the one path it matches (PCRE2's `$` also allows a final "\n"). */
  literal: string | null;
}

// PCRE2's classes without UCP, in 8-bit non-UTF mode (pcre2pattern(3), "Generic character types").
const SPACE = '\\t\\n\\v\\f\\r ';
const HORIZONTAL_SPACE = '\\t \\xa0';
const VERTICAL_SPACE = '\\n\\v\\f\\r\\x85';
/** PCRE2's `$` without MULTILINE: the end, or before a newline that ends the subject. */
const PCRE_DOLLAR = '(?=\\n?$)';

// POSIX classes with PCRE2's default ("C" locale) tables: ASCII only.
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7f',
  blank: '\\t ',
  cntrl: '\\x00-\\x1f\\x7f',
  digit: '0-9',
  graph: '\\x21-\\x7e',
  lower: 'a-z',
  print: '\\x20-\\x7e',
  punct: '\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e',
  space: SPACE,
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SIMPLE_CHAR_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, e: 27, a: 7 };
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/');
/** A counted repeat, read in place (sticky). */
const COUNTED = /\{(\d+)(?:,(\d*))?\}/y;

/** Translates libselinux's anchored form of `regex` ("^" + regex + "$", concatenated as label_file.h does). */
export function translatePcre(regex: string): TranslatedRegex {
  return new Translator(`^${regex}$`).translate();
}

type ClassAtom = { code: number } | { set: string };

class Translator {
  private pos = 1; // past the '^' libselinux puts first
  private out = '^';
  private depth = 0;
  private prefix = '';
  private prefixOpen = true;
  /** A top-level literal whose quantifier (if any) has not been read yet. */
  private pending: string | null = null;
  private alternates = false;
  private onlyLiterals = true;
  private endAnchored = false;
  private literalText = '';

  constructor(private readonly pattern: string) {}

  translate(): TranslatedRegex {
    while (this.pos < this.pattern.length) this.token();
    this.flushPending();
    return {
      source: this.out,
      requiredPrefix: this.alternates ? '' : this.prefix,
      literal: this.onlyLiterals && this.endAnchored && !this.alternates ? this.literalText : null,
    };
  }

  private token(): void {
    const p = this.pattern;
    const c = p[this.pos]!;
    const quantifier = this.readQuantifier();
    if (quantifier) {
      this.quantified(quantifier.min);
      this.out += quantifier.text;
      return;
    }
    this.flushPending();
    switch (c) {
      case '\\':
        return this.escape();
      case '[':
        return this.nonLiteral(this.characterClass());
      case '(':
        return this.group();
      case ')':
        this.pos++;
        this.depth--;
        return this.nonLiteral(')');
      case '|':
        this.pos++;
        if (this.depth === 0) this.alternates = true;
        return this.nonLiteral('|');
      case '.':
        this.pos++;
        return this.nonLiteral('.');
      case '^':
        this.pos++;
        return this.nonLiteral('^');
      case '$':
        this.pos++;
        if (this.pos === p.length && this.depth === 0) {
          this.endAnchored = true;
          this.prefixOpen = false;
          this.out += PCRE_DOLLAR;
          return;
        }
        return this.nonLiteral(PCRE_DOLLAR);
      default:
        this.pos++;
        return this.literal(c.charCodeAt(0));
    }
  }

  /** `*`, `+`, `?` or a `{n}`, `{n,}`, `{n,m}` counted repeat (PCRE2 10.42: anything else after `{` is literal). */
  private readQuantifier(): { text: string; min: number } | null {
    const first = this.pattern[this.pos];
    let text: string;
    let min: number;
    if (first === '*' || first === '?') [text, min] = [first, 0];
    else if (first === '+') [text, min] = ['+', 1];
    else if (first === '{') {
      COUNTED.lastIndex = this.pos;
      const counted = COUNTED.exec(this.pattern);
      if (!counted) return null;
      [text, min] = [counted[0], Number(counted[1])];
    } else return null;
    this.pos += text.length;
    const next = this.pattern[this.pos];
    if (next === '+') throw new UntranslatableRegex(text + next, 'possessive quantifier');
    if (next === '?') {
      text += '?';
      this.pos++;
    }
    return { text, min };
  }

  private escape(): void {
    const p = this.pattern;
    const start = this.pos;
    const letter = p[this.pos + 1];
    if (letter === undefined) throw new UntranslatableRegex('\\', 'backslash at the end of the pattern');
    this.pos += 2;
    switch (letter) {
      case 'd': case 'D': case 'w': case 'W': case 'b': case 'B':
        return this.nonLiteral(`\\${letter}`);
      case 's': return this.nonLiteral(`[${SPACE}]`);
      case 'S': return this.nonLiteral(`[^${SPACE}]`);
      case 'h': return this.nonLiteral(`[${HORIZONTAL_SPACE}]`);
      case 'H': return this.nonLiteral(`[^${HORIZONTAL_SPACE}]`);
      case 'v': return this.nonLiteral(`[${VERTICAL_SPACE}]`);
      case 'V': return this.nonLiteral(`[^${VERTICAL_SPACE}]`);
      case 'N':
        if (p[this.pos] === '{') throw new UntranslatableRegex(p.slice(start, this.pos + 1), 'escape');
        return this.nonLiteral('[^\\n]');
      case 'A': case 'G':
        return this.nonLiteral('^');
      case 'z': return this.nonLiteral('$');
      case 'Z': return this.nonLiteral(PCRE_DOLLAR);
      case 'E': return;
      case 'Q': {
        const end = p.indexOf('\\E', this.pos);
        const quoted = p.slice(this.pos, end < 0 ? p.length : end);
        this.pos = end < 0 ? p.length : end + 2;
        for (let i = 0; i < quoted.length; i++) {
          if (i > 0) this.flushPending();
          this.literal(quoted.charCodeAt(i));
        }
        return;
      }
      default:
        this.pos = start;
        return this.literal(this.characterEscape(start));
    }
  }

  /** An escape that stands for one character (also valid inside a class); refuses the rest. */
  private characterEscape(start: number): number {
    const p = this.pattern;
    const letter = p[start + 1]!;
    this.pos = start + 2;
    if (letter in SIMPLE_CHAR_ESCAPES) return SIMPLE_CHAR_ESCAPES[letter]!;
    if (letter === '0') {
      const digits = /^[0-7]{0,2}/.exec(p.slice(this.pos))![0];
      this.pos += digits.length;
      return parseInt(`0${digits}`, 8);
    }
    if (letter === 'x' || letter === 'o') {
      const braced = letter === 'x' ? /^\{([0-9A-Fa-f]+)\}/.exec(p.slice(this.pos)) : /^\{([0-7]+)\}/.exec(p.slice(this.pos));
      const plain = letter === 'x' ? /^[0-9A-Fa-f]{0,2}/.exec(p.slice(this.pos))! : null;
      if (!braced && !plain) throw new UntranslatableRegex(p.slice(start, this.pos + 1), 'malformed escape');
      const digits = braced ? braced[1]! : plain![0];
      this.pos += braced ? braced[0].length : digits.length;
      const code = digits === '' ? 0 : parseInt(digits, letter === 'x' ? 16 : 8);
      if (code > 0xff) throw new UntranslatableRegex(p.slice(start, this.pos), 'character above \\xff in a non-UTF pattern');
      return code;
    }
    if (letter === 'c') {
      const control = p[this.pos];
      if (control === undefined || control < ' ' || control > '~') throw new UntranslatableRegex(p.slice(start, this.pos + 1), 'malformed escape');
      this.pos++;
      return control.toUpperCase().charCodeAt(0) ^ 0x40;
    }
    if (/[1-9]/.test(letter)) throw new UntranslatableRegex(p.slice(start, this.pos), 'backreference');
    if (/[A-Za-z]/.test(letter)) throw new UntranslatableRegex(p.slice(start, this.pos), 'escape');
    return letter.charCodeAt(0);
  }

  private group(): void {
    const p = this.pattern;
    const rest = p.slice(this.pos, this.pos + 40);
    if (rest.startsWith('(?#')) {
      const end = p.indexOf(')', this.pos);
      if (end < 0) throw new UntranslatableRegex(rest, 'unterminated comment');
      this.pos = end + 1;
      return;
    }
    const simple = /^\((?:\?(?::|=|!|<=|<!))?/.exec(rest)![0];
    const named = /^\(\?(?:P?<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)')/.exec(rest);
    let opened: string;
    if (named) opened = `(?<${named[1] ?? named[2]}>`;
    else if (simple === '(' && (rest[1] === '?' || rest[1] === '*')) {
      const construct = /^\([?*][^)]{0,12}\)?/.exec(rest)![0];
      throw new UntranslatableRegex(construct, rest[1] === '*' ? 'verb' : 'group syntax');
    } else opened = simple;
    this.pos += named ? named[0].length : simple.length;
    this.depth++;
    this.nonLiteral(opened);
  }

  /** `[...]`, with PCRE2's rules: a `]` right after `[` or `[^` is literal, `[:name:]` is a POSIX class. */
  private characterClass(): string {
    const p = this.pattern;
    const start = this.pos;
    this.pos++;
    let negate = false;
    if (p[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    let members = '';
    for (let first = true; ; first = false) {
      if (this.pos >= p.length) throw new UntranslatableRegex(p.slice(start), 'missing ] in a character class');
      if (p[this.pos] === ']' && !first) {
        this.pos++;
        break;
      }
      const posix = this.posixClass();
      if (posix !== null) {
        members += posix;
        continue;
      }
      const atom = this.classAtom();
      if ('set' in atom) {
        members += atom.set;
        continue;
      }
      if (p[this.pos] === '-' && this.pos + 1 < p.length && p[this.pos + 1] !== ']') {
        const rangeStart = this.pos - 1;
        this.pos++;
        if (p.startsWith('[:', this.pos)) throw new UntranslatableRegex(p.slice(rangeStart, this.pos + 2), 'range to a POSIX class');
        const end = this.classAtom();
        if ('set' in end || end.code < atom.code) throw new UntranslatableRegex(p.slice(rangeStart, this.pos), 'invalid range in a character class');
        members += `${classChar(atom.code)}-${classChar(end.code)}`;
      } else members += classChar(atom.code);
    }
    return `[${negate ? '^' : ''}${members}]`;
  }

  private posixClass(): string | null {
    const p = this.pattern;
    if (p[this.pos] !== '[' || !':.='.includes(p[this.pos + 1] ?? 'x')) return null;
    const match = /^\[([:.=])(\^?)([a-z]*)\1\]/.exec(p.slice(this.pos, this.pos + 16));
    if (!match) return null;
    if (match[1] !== ':') throw new UntranslatableRegex(match[0], 'POSIX collating element');
    const set = POSIX_CLASSES[match[3]!];
    if (set === undefined) throw new UntranslatableRegex(match[0], 'unknown POSIX class');
    if (match[2]) throw new UntranslatableRegex(match[0], 'negated POSIX class inside a class');
    this.pos += match[0].length;
    return set;
  }

  private classAtom(): ClassAtom {
    const p = this.pattern;
    const c = p[this.pos]!;
    if (c !== '\\') {
      this.pos++;
      return { code: c.charCodeAt(0) };
    }
    const start = this.pos;
    const letter = p[this.pos + 1];
    switch (letter) {
      case 'd': case 'D': case 'w': case 'W':
        this.pos += 2;
        return { set: `\\${letter}` };
      case 's':
        this.pos += 2;
        return { set: SPACE };
      case 'h':
        this.pos += 2;
        return { set: HORIZONTAL_SPACE };
      case 'v':
        this.pos += 2;
        return { set: VERTICAL_SPACE };
      case 'b':
        this.pos += 2;
        return { code: 8 };
      case 'S': case 'H': case 'V': case 'N': case 'Q': case 'E':
        throw new UntranslatableRegex(`\\${letter}`, 'escape inside a character class');
      default:
        if (letter !== undefined && /[1-7]/.test(letter)) {
          // Inside a class a digit escape is octal (pcre2pattern(3), "Absolute and relative back references").
          const digits = /^[0-7]{1,3}/.exec(p.slice(this.pos + 1))![0];
          this.pos += 1 + digits.length;
          return { code: parseInt(digits, 8) & 0xff };
        }
        if (letter === undefined) throw new UntranslatableRegex('\\', 'backslash at the end of the pattern');
        return { code: this.characterEscape(start) };
    }
  }

  private literal(code: number): void {
    const char = String.fromCharCode(code);
    this.out += JS_SYNTAX.has(char) ? `\\${char}` : code < 0x20 || code > 0x7e ? hexEscape(code) : char;
    this.literalText += char;
    if (this.depth === 0 && this.prefixOpen) this.pending = char;
  }

  private nonLiteral(js: string): void {
    this.out += js;
    this.onlyLiterals = false;
    this.prefixOpen = false;
  }

  /** A quantifier follows: its atom counts toward the prefix only if it must appear at least once. */
  private quantified(min: number): void {
    this.onlyLiterals = false;
    if (this.pending !== null && min >= 1) this.prefix += this.pending;
    this.pending = null;
    this.prefixOpen = false;
  }

  private flushPending(): void {
    if (this.pending !== null) this.prefix += this.pending;
    this.pending = null;
  }
}

function classChar(code: number): string {
  return /[0-9A-Za-z]/.test(String.fromCharCode(code)) ? String.fromCharCode(code) : hexEscape(code);
}

function hexEscape(code: number): string {
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
