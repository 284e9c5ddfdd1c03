/**
 * The value of one grub.cfg word, as GRUB's lexer splits it (grub-core/script/yylex.l, the
 * SPLIT/SQUOTE/DQUOTE/I18NQUOTE states): '...' is literal; in "..." a backslash escapes only
 * `$`, `"`, `\` and a newline; outside quotes a backslash escapes any character, and a
 * backslash-newline vanishes. Variables are not expanded: `$root` stays `$root`.
 */
export function grubWordValue(raw: string): string {
  let value = '';
  let at = 0;
  while (at < raw.length) {
    const char = raw[at]!;
    if (char === '\\') {
      const next = raw[at + 1];
      if (next !== undefined && next !== '\n') value += next;
      at += 2;
    } else if (char === "'") {
      const close = raw.indexOf("'", at + 1);
      value += raw.slice(at + 1, close);
      at = close + 1;
    } else if (char === '"' || (char === '$' && raw[at + 1] === '"')) {
      const i18n = char === '$';
      at += i18n ? 2 : 1;
      while (at < raw.length && raw[at] !== '"') {
        if (raw[at] === '\\' && at + 1 < raw.length) {
          const next = raw[at + 1]!;
          if (next === '\n') value += '';
          else if (next === '"' || (!i18n && (next === '$' || next === '\\'))) value += next;
          else value += `\\${next}`;
          at += 2;
        } else {
          value += raw[at++];
        }
      }
      at++;
    } else {
      value += char;
      at++;
    }
  }
  return value;
}

/** Characters that need no quoting anywhere in an argument. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quotes `value` as one grub.cfg argument: as is when it is plain, else in single quotes,
 * with each `'` written as `'\''` (close, escaped quote, reopen), which GRUB's lexer joins
 * back into one word.
 */
export function quoteGrubWord(value: string): string {
  if (PLAIN.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
