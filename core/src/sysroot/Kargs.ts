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

  /**
   * Adds each word that is not already there, in order (`--append`). A key the kernel reads
   * only once (SINGLE_VALUED, such as `root`) is refused when it already has another value,
   * so that an append never leaves two `root=`: `--replace` changes it.
   */
  append(words: readonly string[]): Kargs {
    const next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      if (next.includes(word)) continue;
      const key = keyOf(word);
      const existing = next.find((w) => keyOf(w) === key);
      if (existing !== undefined && SINGLE_VALUED.has(key)) {
        throw new ArborError(ErrorCode.KARG_INVALID, `Kernel argument ${key} takes one value and is already set (${existing}); appending ${word} would leave two`, {
          hint: `Replace it: --replace ${word}`,
        });
      }
      next.push(word);
    }
    return new Kargs(next);
  }

  /** Adds each word whose key is not set at all (`--append-if-missing`); a set key is left as it is. */
  appendIfMissing(words: readonly string[]): Kargs {
    const next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      if (!next.some((w) => keyOf(w) === keyOf(word))) next.push(word);
    }
    return new Kargs(next);
  }

  /**
   * Sets each word over the inherited ones (`deploy --karg`): a word of a SINGLE_VALUED key
   * takes the place of that key's values, any other word is appended if not there.
   */
  override(words: readonly string[]): Kargs {
    let next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      const key = keyOf(word);
      const first = next.findIndex((w) => keyOf(w) === key);
      if (!SINGLE_VALUED.has(key) || first < 0) {
        if (!next.includes(word)) next.push(word);
        continue;
      }
      // Also folds the two values an older deploy could leave into this one.
      next = next.filter((w, index) => index === first || keyOf(w) !== key);
      next[first] = word;
    }
    return new Kargs(next);
  }

  /**
   * `--replace`, rpm-ostree's semantics: `KEY=OLD=NEW` replaces that one value of KEY, in
   * place; `KEY=VALUE` replaces the value of a KEY that has exactly one. A value may itself
   * hold `=` (`root=UUID=...`), so `KEY=A=B` means OLD=NEW only when `KEY=A` is set (trying
   * each `=` in turn), and the whole `A=B` as KEY's new value otherwise. A missing key or value, or a KEY=VALUE for a key
   * of several values, is an error that names the key.
   */
  replace(words: readonly string[]): Kargs {
    const next = [...this.words];
    for (const word of words.map((w) => validateKarg(w))) {
      const key = keyOf(word);
      if (!word.includes('=')) {
        throw new ArborError(ErrorCode.KARG_INVALID, `--replace ${word}: expected KEY=VALUE or KEY=OLD=NEW`);
      }
      const value = word.slice(key.length + 1);
      const split = [...value].flatMap((char, index) => (char === '=' && next.includes(`${key}=${value.slice(0, index)}`) ? [index] : []))[0];
      if (split !== undefined) {
        next[next.indexOf(`${key}=${value.slice(0, split)}`)] = `${key}=${value.slice(split + 1)}`;
        continue;
      }
      const indexes = next.flatMap((w, index) => (keyOf(w) === key ? [index] : []));
      if (indexes.length === 0) {
        throw new ArborError(ErrorCode.KARG_REPLACE_FAILED, `Kernel argument ${key} is not set, so --replace ${word} has nothing to replace`, {
          hint: `Add it with --append ${word}; the current arguments are: ${this.words.join(' ') || '(none)'}`,
        });
      }
      if (indexes.length > 1) {
        throw new ArborError(ErrorCode.KARG_REPLACE_FAILED, `Kernel argument ${key} has ${indexes.length} values (${indexes.map((i) => next[i]).join(' ')}), so --replace ${word} is ambiguous`, {
          hint: `Name the value to replace: --replace ${key}=OLD=NEW`,
        });
      }
      next[indexes[0]!] = word;
    }
    return new Kargs(next.filter((w, index) => next.indexOf(w) === index));
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

/**
 * Keys the kernel or the initramfs read once, so a second value is never what was meant:
 * the root filesystem and how to mount it, and the init to run (kernel-parameters.txt).
 */
const SINGLE_VALUED = new Set(['root', 'rootflags', 'rootfstype', 'init']);

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
