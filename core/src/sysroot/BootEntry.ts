import { ArborError } from '../errors/ArborError';
import { ErrorCode } from '../errors/codes';

interface FieldLine {
  key: string;
  value: string;
  /** The text as read; undefined once the value changes, so it is written afresh. */
  raw?: string;
}

type Line = FieldLine | { raw: string };

/**
 * A Boot Loader Specification type #1 entry (`loader/entries/*.conf`): one `key value` per
 * line, `#` comments, and keys that may repeat (`initrd`, `options`). Entries written by other
 * tools carry extra keys (`grub_users`, `machine-id`, `filesystem`) and indented sub-lines
 * (grubby's `multiboot` drafts); they all survive a parse and serialize byte for byte.
 */
export class BootEntry {
  private constructor(private readonly lines: Line[]) {}

  /** An entry with these fields, in this order; the BLS writer's shape for new entries. */
  static of(fields: ReadonlyArray<readonly [key: string, value: string]>): BootEntry {
    return new BootEntry(fields.map(([key, value]) => ({ key: checkKey(key), value })));
  }

  static parse(text: string, source = 'boot entry'): BootEntry {
    const lines: Line[] = [];
    const rows = text.split('\n');
    if (rows.at(-1) === '') rows.pop();
    for (let i = 0; i < rows.length; i++) {
      const raw = rows[i]!;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) {
        lines.push({ raw });
        continue;
      }
      const match = /^\s*([A-Za-z0-9_][A-Za-z0-9_-]*)(?:\s+(.*?))?\s*$/.exec(raw);
      if (!match) {
        throw new ArborError(ErrorCode.BOOT_ENTRY_INVALID, `${source}, line ${i + 1}: expected "key value", got "${trimmed}"`);
      }
      lines.push({ key: match[1]!, value: match[2] ?? '', raw });
    }
    return new BootEntry(lines);
  }

  /** The first value of `key` (BLS: `title`, `version`, `linux` appear once). */
  get(key: string): string | undefined {
    return this.fields().find((line) => line.key === key)?.value;
  }

  /** Every value of a key that may repeat, in file order. */
  getAll(key: string): string[] {
    return this.fields().filter((line) => line.key === key).map((line) => line.value);
  }

  /** The kernel command line: every `options` line, joined as the spec says they combine. */
  get options(): string {
    return this.getAll('options').join(' ');
  }

  keys(): string[] {
    return [...new Set(this.fields().map((line) => line.key))];
  }

  /** Sets the first `key` line (appending one if there is none) and drops any repeats. */
  set(key: string, value: string): this {
    checkKey(key);
    const first = this.lines.findIndex((line) => 'key' in line && line.key === key);
    if (first < 0) {
      this.lines.push({ key, value });
      return this;
    }
    this.lines[first] = { key, value };
    for (let i = this.lines.length - 1; i > first; i--) {
      const line = this.lines[i]!;
      if ('key' in line && line.key === key) this.lines.splice(i, 1);
    }
    return this;
  }

  toString(): string {
    return this.lines.map((line) => line.raw ?? `${(line as FieldLine).key} ${(line as FieldLine).value}`.trimEnd()).join('\n') + '\n';
  }

  private fields(): FieldLine[] {
    return this.lines.filter((line): line is FieldLine => 'key' in line);
  }
}

function checkKey(key: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(key)) {
    throw new ArborError(ErrorCode.BOOT_ENTRY_INVALID, `Boot entry key "${key}" is not a word`);
  }
  return key;
}
