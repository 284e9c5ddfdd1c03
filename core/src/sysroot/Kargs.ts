import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

/**
 * Kernel arguments, kept as the list of words the kernel command line is made of. A word is
 * `KEY` or `KEY=VALUE`; a value may hold spaces inside double quotes, as the kernel's own
 * parser allows (`foo="a b"`). The same key may repeat (`console=tty0 console=ttyS0`), so the
 * list keeps order and duplicates of a key, but never the same word twice.
 */
export class Kargs {
  private constructor(private readonly words: string[]) {}

  static of(words: readonly string[]): Kargs {
    return new Kargs(words.map((word) => validateKarg(word)));
  }

  /** Splits a command line (e.g. /proc/cmdline) into words, honoring double quotes. */
  static parse(cmdline: string): Kargs {
    const words: string[] = [];
    let current = '';
    let quoted = false;
    for (const char of cmdline) {
      if (char === '"') quoted = !quoted;
      if (!quoted && /\s/.test(char)) {
        if (current) words.push(current);
        current = '';
      } else {
        current += char;
      }
    }
    if (current) words.push(current);
    return new Kargs(words);
  }

  toArray(): string[] {
    return [...this.words];
  }

  /** The value of the last `KEY=...` word, the kernel's rule when a key repeats. */
  get(key: string): string | undefined {
    for (let i = this.words.length - 1; i >= 0; i--) {
      const word = this.words[i]!;
      if (keyOf(word) === key) return word.includes('=') ? unquote(word.slice(word.indexOf('=') + 1)) : '';
    }
    return undefined;
  }

  /** Adds each word that is not already there, in order. */
  append(words: readonly string[]): Kargs {
    const next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      if (!next.includes(word)) next.push(word);
    }
    return new Kargs(next);
  }

  /**
   * Removes `KEY=VALUE` exactly, or every word of `KEY` when no value is given. Asking to
   * delete something that is not there is an error, so a typo is never silently ignored.
   */
  delete(words: readonly string[]): Kargs {
    let next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      const kept = word.includes('=') ? next.filter((w) => w !== word) : next.filter((w) => keyOf(w) !== word);
      if (kept.length === next.length) {
        throw new ArborError(ErrorCode.KARG_INVALID, `Kernel argument "${word}" is not set`, {
          hint: `The current arguments are: ${this.words.join(' ') || '(none)'}`,
        });
      }
      next = kept;
    }
    return new Kargs(next);
  }

  toString(): string {
    return this.words.join(' ');
  }
}

function keyOf(word: string): string {
  const equals = word.indexOf('=');
  return equals < 0 ? word : word.slice(0, equals);
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function validateKarg(word: string): string {
  const quotes = (word.match(/"/g) ?? []).length;
  const outsideQuotes = word.replace(/"[^"]*"/g, '');
  if (word === '' || word.startsWith('=') || quotes % 2 === 1 || /\s/.test(outsideQuotes)) {
    throw new ArborError(ErrorCode.KARG_INVALID, `Kernel argument "${word}" is not of the form KEY or KEY=VALUE`, {
      hint: 'Quote a value that holds spaces: KEY="a b"',
    });
  }
  return word;
}
